// WebVTT for the scene's captions: the cues of a file, and the cue at a moment.

function seconds(stamp) {
  const parts = stamp.trim().split(":").map(Number);
  while (parts.length < 3) parts.unshift(0);
  return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

function plain(text) {
  return text
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export function parseVtt(body) {
  const cues = [];
  for (const block of String(body || "").replace(/\r/g, "").split(/\n\n+/)) {
    const lines = block.split("\n");
    const timing = lines.findIndex((line) => line.includes("-->"));
    if (timing < 0) continue;
    const [from, to] = lines[timing].split("-->");
    const text = plain(lines.slice(timing + 1).join(" ")).trim();
    if (text) cues.push({ start: seconds(from), end: seconds(to.trim().split(/\s+/)[0]), text });
  }
  return cues;
}

export function cueAt(cues, time) {
  return cues.find((cue) => cue.start <= time && time < cue.end) || null;
}
