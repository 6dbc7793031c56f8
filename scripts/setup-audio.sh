#!/usr/bin/env bash
# Installs the offline speech tools the ASR tests and `minutes transcribe` use
# when they are missing (Debian): pocketsphinx with its US English model (the
# offline engine) and ffmpeg (decodes audio formats other than WAV/Ogg/WebM
# Opus). Safe to run repeatedly: does nothing when both are present. Never
# fatal: without them the offline engine reports itself unavailable and its
# tests say why they are skipped.
set -uo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

missing=()
command -v pocketsphinx_continuous >/dev/null 2>&1 || missing+=(pocketsphinx)
[ -d /usr/share/pocketsphinx/model/en-us/en-us ] || missing+=(pocketsphinx-en-us)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)

if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-audio: ${missing[*]} missing and no apt-get here; install them with your package manager" >&2
    exit 0
  fi
  echo "setup-audio: installing ${missing[*]} from Debian packages" >&2
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "setup-audio: could not install ${missing[*]}; the offline ASR engine will report itself unavailable" >&2
fi
exit 0
