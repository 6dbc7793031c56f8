// Checks Block Kit JSON against Slack's published limits (docs.slack.dev →
// Reference → Block Kit: blocks, block elements, composition objects). Slack
// rejects a whole message/view (`invalid_blocks`) when any of these is broken,
// so tests assert `validateBlocks(blocks, where)` is empty.
//
// Limits checked (from the Block Kit reference):
//  - blocks: ≤ 50 in a message, ≤ 100 in a modal or Home tab; known block types only
//  - block_id ≤ 255 chars and unique within the surface
//  - section: text (1..3000) and/or fields (≤ 10 items, each ≤ 2000); one of them required
//  - header: plain_text only, ≤ 150
//  - context: 1..10 elements (text objects or images)
//  - actions: 1..25 elements
//  - action_id ≤ 255, unique within a block
//  - button: plain_text text ≤ 75, value ≤ 2000, url ≤ 3000, style primary|danger
//  - select/overflow/radio/checkbox options: option text ≤ 75, value ≤ 150; static_select ≤ 100 options,
//    overflow 1..5, radio/checkboxes ≤ 10; placeholder plain_text ≤ 150
//  - confirm dialog: title ≤ 100, text ≤ 300, confirm/deny ≤ 30
//  - image: image_url ≤ 3000, alt_text ≤ 2000, title ≤ 2000
//  - input: label ≤ 2000, hint ≤ 2000
//  - text objects: type 'plain_text' | 'mrkdwn', non-empty text; `emoji` only on plain_text, `verbatim` only on mrkdwn
//  - modal: title/submit/close plain_text ≤ 24, callback_id ≤ 255, private_metadata ≤ 3000 (use validateView)

type Where = 'message' | 'home' | 'modal';
type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

export const BLOCK_LIMITS = {
  blocks: { message: 50, home: 100, modal: 100 },
  blockId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  actionId: 255,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  optionText: 75,
  optionValue: 150,
  staticSelectOptions: 100,
  overflowOptions: 5,
  radioOptions: 10,
  checkboxOptions: 10,
  placeholder: 150,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  imageUrl: 3000,
  imageAltText: 2000,
  inputLabel: 2000,
  inputHint: 2000,
  modalTitle: 24,
  modalButton: 24,
  callbackId: 255,
  privateMetadata: 3000,
  /** a message's top-level `text` (Slack truncates longer text) */
  messageText: 40000,
} as const;

// Newer block types (table, card, alert, carousel, container, context_actions, ...) are accepted without deep checks.
const BLOCK_TYPES = new Set([
  'section', 'divider', 'header', 'context', 'actions', 'image', 'input', 'file', 'rich_text', 'video', 'markdown',
  'table', 'card', 'alert', 'carousel', 'container', 'context_actions',
]);
const ACTION_ELEMENTS = new Set([
  'button', 'static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select', 'multi_static_select',
  'multi_external_select', 'multi_users_select', 'multi_conversations_select', 'multi_channels_select', 'overflow', 'datepicker',
  'timepicker', 'datetimepicker', 'radio_buttons', 'checkboxes', 'workflow_button', 'rich_text_input', 'plain_text_input',
]);
const ACCESSORY_ELEMENTS = new Set([...ACTION_ELEMENTS, 'image']);

/** Violations of Slack's Block Kit limits; empty when Slack would accept the blocks. */
export function validateBlocks(blocks: unknown[], where: Where): string[] {
  const v = new Validator();
  v.blocks(blocks, where);
  return v.errors;
}

/** Violations in a whole view (modal or Home tab) payload: its blocks plus title/submit/close/metadata limits. */
export function validateView(view: unknown): string[] {
  const v = new Validator();
  if (!isRec(view)) return ['view: not an object'];
  const type = view.type;
  if (type !== 'modal' && type !== 'home') {
    v.errors.push(`view.type: must be 'modal' or 'home' (got ${JSON.stringify(type)})`);
    return v.errors;
  }
  if (type === 'modal') {
    if (view.title === undefined) v.errors.push('view.title: required for a modal');
    else v.text(view.title, 'view.title', { max: BLOCK_LIMITS.modalTitle, plainOnly: true });
    if (view.submit !== undefined) v.text(view.submit, 'view.submit', { max: BLOCK_LIMITS.modalButton, plainOnly: true });
    if (view.close !== undefined) v.text(view.close, 'view.close', { max: BLOCK_LIMITS.modalButton, plainOnly: true });
  }
  v.maxLen(view.callback_id, 'view.callback_id', BLOCK_LIMITS.callbackId);
  v.maxLen(view.private_metadata, 'view.private_metadata', BLOCK_LIMITS.privateMetadata);
  if (!Array.isArray(view.blocks)) v.errors.push('view.blocks: required array');
  else v.blocks(view.blocks, type, 'view.blocks');
  return v.errors;
}

class Validator {
  readonly errors: string[] = [];
  private readonly blockIds = new Map<string, string>();

  blocks(blocks: unknown[], where: Where, path = 'blocks'): void {
    if (!Array.isArray(blocks)) {
      this.errors.push(`${path}: not an array`);
      return;
    }
    const max = BLOCK_LIMITS.blocks[where];
    if (blocks.length > max) this.errors.push(`${path}: ${blocks.length} blocks > ${max} allowed in a ${where}`);
    blocks.forEach((b, i) => this.block(b, `${path}[${i}]`));
  }

  private block(b: unknown, path: string): void {
    if (!isRec(b)) {
      this.errors.push(`${path}: not an object`);
      return;
    }
    const type = b.type;
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      this.errors.push(`${path}.type: unknown block type ${JSON.stringify(type)}`);
      return;
    }
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== 'string' || b.block_id === '') this.errors.push(`${path}.block_id: must be a non-empty string`);
      else {
        this.maxLen(b.block_id, `${path}.block_id`, BLOCK_LIMITS.blockId);
        const prev = this.blockIds.get(b.block_id);
        if (prev) this.errors.push(`${path}.block_id: duplicate block_id ${JSON.stringify(b.block_id)} (also ${prev})`);
        else this.blockIds.set(b.block_id, path);
      }
    }
    const actionIds = new Map<string, string>();
    const element = (e: unknown, p: string, allowed: Set<string>) => this.element(e, p, allowed, actionIds);
    switch (type) {
      case 'section': {
        if (b.text === undefined && b.fields === undefined) this.errors.push(`${path}: section needs text or fields`);
        if (b.text !== undefined) this.text(b.text, `${path}.text`, { max: BLOCK_LIMITS.sectionText, what: 'section text' });
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields)) this.errors.push(`${path}.fields: not an array`);
          else {
            if (b.fields.length > BLOCK_LIMITS.sectionFields) {
              this.errors.push(`${path}.fields: ${b.fields.length} fields > ${BLOCK_LIMITS.sectionFields}`);
            }
            if (b.fields.length === 0) this.errors.push(`${path}.fields: empty`);
            b.fields.forEach((f, i) => this.text(f, `${path}.fields[${i}]`, { max: BLOCK_LIMITS.sectionFieldText, what: 'section field' }));
          }
        }
        if (b.accessory !== undefined) element(b.accessory, `${path}.accessory`, ACCESSORY_ELEMENTS);
        break;
      }
      case 'header':
        this.text(b.text, `${path}.text`, { max: BLOCK_LIMITS.headerText, plainOnly: true, what: 'header text' });
        break;
      case 'context': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) {
          this.errors.push(`${path}.elements: context needs 1..${BLOCK_LIMITS.contextElements} elements`);
          break;
        }
        if (b.elements.length > BLOCK_LIMITS.contextElements) {
          this.errors.push(`${path}.elements: ${b.elements.length} elements > ${BLOCK_LIMITS.contextElements} in a context block`);
        }
        b.elements.forEach((e, i) => {
          if (isRec(e) && e.type === 'image') this.image(e, `${path}.elements[${i}]`, false);
          else this.text(e, `${path}.elements[${i}]`, {});
        });
        break;
      }
      case 'actions': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) {
          this.errors.push(`${path}.elements: actions needs 1..${BLOCK_LIMITS.actionsElements} elements`);
          break;
        }
        if (b.elements.length > BLOCK_LIMITS.actionsElements) {
          this.errors.push(`${path}.elements: ${b.elements.length} elements > ${BLOCK_LIMITS.actionsElements} in an actions block`);
        }
        b.elements.forEach((e, i) => element(e, `${path}.elements[${i}]`, ACTION_ELEMENTS));
        break;
      }
      case 'image':
        this.image(b, path, true);
        if (b.title !== undefined) this.text(b.title, `${path}.title`, { max: 2000, plainOnly: true });
        break;
      case 'input':
        this.text(b.label, `${path}.label`, { max: BLOCK_LIMITS.inputLabel, plainOnly: true, what: 'input label' });
        if (b.hint !== undefined) this.text(b.hint, `${path}.hint`, { max: BLOCK_LIMITS.inputHint, plainOnly: true });
        element(b.element, `${path}.element`, new Set([...ACTION_ELEMENTS, 'email_text_input', 'url_text_input', 'number_input', 'file_input']));
        break;
      case 'markdown':
        if (typeof b.text !== 'string' || b.text === '') this.errors.push(`${path}.text: markdown block needs a non-empty string`);
        else this.maxLen(b.text, `${path}.text`, 12000);
        break;
      default:
        break;
    }
  }

  private element(e: unknown, path: string, allowed: Set<string>, actionIds: Map<string, string>): void {
    if (!isRec(e)) {
      this.errors.push(`${path}: not an object`);
      return;
    }
    const type = e.type;
    if (typeof type !== 'string' || !allowed.has(type)) {
      this.errors.push(`${path}.type: element type ${JSON.stringify(type)} not allowed here`);
      return;
    }
    if (type === 'image') {
      this.image(e, path, false);
      return;
    }
    if (e.action_id !== undefined) {
      if (typeof e.action_id !== 'string' || e.action_id === '') this.errors.push(`${path}.action_id: must be a non-empty string`);
      else {
        this.maxLen(e.action_id, `${path}.action_id`, BLOCK_LIMITS.actionId);
        const prev = actionIds.get(e.action_id);
        if (prev) this.errors.push(`${path}.action_id: duplicate action_id ${JSON.stringify(e.action_id)} in the same block (also ${prev})`);
        else actionIds.set(e.action_id, path);
      }
    }
    if (e.confirm !== undefined) this.confirm(e.confirm, `${path}.confirm`);
    if (e.placeholder !== undefined) this.text(e.placeholder, `${path}.placeholder`, { max: BLOCK_LIMITS.placeholder, plainOnly: true });
    switch (type) {
      case 'button':
        this.text(e.text, `${path}.text`, { max: BLOCK_LIMITS.buttonText, plainOnly: true, what: 'button text' });
        this.maxLen(e.value, `${path}.value`, BLOCK_LIMITS.buttonValue, 'button value');
        this.maxLen(e.url, `${path}.url`, BLOCK_LIMITS.buttonUrl, 'button url');
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') {
          this.errors.push(`${path}.style: must be 'primary' or 'danger' (got ${JSON.stringify(e.style)})`);
        }
        break;
      case 'static_select':
      case 'multi_static_select': {
        const opts = Array.isArray(e.options) ? e.options : undefined;
        const groups = Array.isArray(e.option_groups) ? e.option_groups : undefined;
        if (!opts && !groups) this.errors.push(`${path}: options or option_groups required`);
        if (opts) this.options(opts, `${path}.options`, BLOCK_LIMITS.staticSelectOptions);
        if (groups) {
          if (groups.length > 100) this.errors.push(`${path}.option_groups: ${groups.length} groups > 100`);
          groups.forEach((g, i) => {
            if (!isRec(g)) return this.errors.push(`${path}.option_groups[${i}]: not an object`);
            this.text(g.label, `${path}.option_groups[${i}].label`, { max: 75, plainOnly: true });
            this.options(Array.isArray(g.options) ? g.options : [], `${path}.option_groups[${i}].options`, 100);
          });
        }
        break;
      }
      case 'overflow': {
        const opts = Array.isArray(e.options) ? e.options : [];
        if (opts.length < 1 || opts.length > BLOCK_LIMITS.overflowOptions) {
          this.errors.push(`${path}.options: overflow needs 1..${BLOCK_LIMITS.overflowOptions} options (got ${opts.length})`);
        }
        this.options(opts, `${path}.options`, BLOCK_LIMITS.overflowOptions, true);
        break;
      }
      case 'radio_buttons':
        this.options(Array.isArray(e.options) ? e.options : [], `${path}.options`, BLOCK_LIMITS.radioOptions);
        break;
      case 'checkboxes':
        this.options(Array.isArray(e.options) ? e.options : [], `${path}.options`, BLOCK_LIMITS.checkboxOptions);
        break;
      case 'datepicker':
        if (e.initial_date !== undefined && !(typeof e.initial_date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(e.initial_date))) {
          this.errors.push(`${path}.initial_date: must be YYYY-MM-DD`);
        }
        break;
      default:
        break;
    }
  }

  private options(opts: unknown[], path: string, max: number, plainOnly = false): void {
    if (opts.length > max) this.errors.push(`${path}: ${opts.length} options > ${max}`);
    opts.forEach((o, i) => {
      const p = `${path}[${i}]`;
      if (!isRec(o)) return this.errors.push(`${p}: not an object`);
      this.text(o.text, `${p}.text`, { max: BLOCK_LIMITS.optionText, plainOnly, what: 'option text' });
      if (typeof o.value !== 'string' || o.value === '') this.errors.push(`${p}.value: required non-empty string`);
      else this.maxLen(o.value, `${p}.value`, BLOCK_LIMITS.optionValue, 'option value');
      if (o.description !== undefined) this.text(o.description, `${p}.description`, { max: 75, plainOnly });
    });
  }

  private confirm(c: unknown, path: string): void {
    if (!isRec(c)) return void this.errors.push(`${path}: not an object`);
    this.text(c.title, `${path}.title`, { max: BLOCK_LIMITS.confirmTitle, plainOnly: true });
    this.text(c.text, `${path}.text`, { max: BLOCK_LIMITS.confirmText });
    this.text(c.confirm, `${path}.confirm`, { max: BLOCK_LIMITS.confirmButton, plainOnly: true });
    this.text(c.deny, `${path}.deny`, { max: BLOCK_LIMITS.confirmButton, plainOnly: true });
    if (c.style !== undefined && c.style !== 'primary' && c.style !== 'danger') this.errors.push(`${path}.style: must be 'primary' or 'danger'`);
  }

  private image(e: Rec, path: string, isBlock: boolean): void {
    const hasUrl = typeof e.image_url === 'string' && e.image_url !== '';
    const hasFile = isRec(e.slack_file);
    if (!hasUrl && !hasFile) this.errors.push(`${path}: image needs image_url or slack_file`);
    this.maxLen(e.image_url, `${path}.image_url`, BLOCK_LIMITS.imageUrl, 'image_url');
    if (typeof e.alt_text !== 'string' || e.alt_text === '') this.errors.push(`${path}.alt_text: required non-empty string`);
    else this.maxLen(e.alt_text, `${path}.alt_text`, BLOCK_LIMITS.imageAltText, 'alt_text');
    void isBlock;
  }

  /** A text composition object. */
  text(t: unknown, path: string, opts: { max?: number; plainOnly?: boolean; what?: string }): void {
    if (!isRec(t)) {
      this.errors.push(`${path}: must be a text object ({ type: 'plain_text' | 'mrkdwn', text })`);
      return;
    }
    if (t.type !== 'plain_text' && t.type !== 'mrkdwn') {
      this.errors.push(`${path}.type: must be 'plain_text' or 'mrkdwn' (got ${JSON.stringify(t.type)})`);
      return;
    }
    if (opts.plainOnly && t.type !== 'plain_text') this.errors.push(`${path}.type: must be 'plain_text' here (got 'mrkdwn')`);
    if (t.type === 'mrkdwn' && t.emoji !== undefined) this.errors.push(`${path}.emoji: only allowed on plain_text`);
    if (t.type === 'plain_text' && t.verbatim !== undefined) this.errors.push(`${path}.verbatim: only allowed on mrkdwn`);
    if (typeof t.text !== 'string' || t.text.length === 0) {
      this.errors.push(`${path}.text: must be a non-empty string`);
      return;
    }
    if (opts.max !== undefined) this.maxLen(t.text, `${path}.text`, opts.max, opts.what);
  }

  maxLen(s: unknown, path: string, max: number, what?: string): void {
    if (s === undefined) return;
    if (typeof s !== 'string') {
      this.errors.push(`${path}: must be a string`);
      return;
    }
    if (s.length > max) this.errors.push(`${path}: ${s.length} chars > ${max}${what ? ` (${what})` : ''}`);
  }
}
