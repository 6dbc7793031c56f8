// The package ships no types; this covers only the parts the VTT importer uses.
declare module 'webvtt-parser' {
  export interface VttError {
    message: string;
    line: number;
    col?: number;
  }
  export interface VttNode {
    type: 'text' | 'object' | 'timestamp';
    name?: string;
    classes?: string[];
    /** Text content for text nodes, annotation for `<v>`/`<lang>`, seconds for timestamps. */
    value?: string | number;
    children?: VttNode[];
  }
  export interface VttCue {
    id: string;
    startTime: number;
    endTime: number;
    text: string;
    tree: { children: VttNode[] };
  }
  export interface VttParseResult {
    cues: VttCue[];
    errors: VttError[];
    styles: string[];
  }
  export class WebVTTParser {
    constructor(entities?: Record<string, string>);
    parse(input: string, mode?: 'metadata' | 'chapters' | string): VttParseResult;
  }
  const webvtt: { WebVTTParser: typeof WebVTTParser };
  export default webvtt;
}
