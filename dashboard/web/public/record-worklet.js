// AudioWorklet for the record page: the microphone (usually 48 kHz, any
// channel count) to 16 kHz mono 16-bit PCM, posted in 20 ms frames (320
// samples, 640 bytes) as transferred ArrayBuffers. Downsampling averages the
// input samples that fall in each output sample's slot (a box filter: for
// 48 kHz exactly three), which also keeps most aliasing out of the speech band.
const OUT_RATE = 16000;
const FRAME = 320;

class RecordProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = Math.max(1, sampleRate / OUT_RATE);
    this.phase = 0;
    this.acc = 0;
    this.count = 0;
    this.frame = new Int16Array(FRAME);
    this.fill = 0;
    this.stopped = false;
    this.port.onmessage = (e) => {
      if (e.data === 'stop') this.stopped = true;
    };
  }

  process(inputs) {
    if (this.stopped) return false;
    const input = inputs[0];
    if (!input || input.length === 0) return true; // no source yet (or muted): keep running
    const channels = input.length;
    const n = input[0].length;
    for (let i = 0; i < n; i++) {
      let x = input[0][i];
      for (let c = 1; c < channels; c++) x += input[c][i];
      this.acc += x / channels;
      this.count++;
      this.phase += 1;
      if (this.phase >= this.ratio) {
        this.phase -= this.ratio;
        this.push(this.acc / this.count);
        this.acc = 0;
        this.count = 0;
      }
    }
    return true;
  }

  push(v) {
    const s = v <= -1 ? -32768 : v >= 1 ? 32767 : Math.round(v * 32767);
    this.frame[this.fill++] = s;
    if (this.fill === FRAME) {
      const buf = this.frame.buffer;
      this.port.postMessage(buf, [buf]);
      this.frame = new Int16Array(FRAME);
      this.fill = 0;
    }
  }
}

registerProcessor('record-pcm16k', RecordProcessor);
