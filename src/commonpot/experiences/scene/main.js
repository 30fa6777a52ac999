// The experience scene: a hearth, a kitchen table with the recipe's ingredients, a path of the
// generations who carried it, and the storyteller's voice. Bundled with esbuild at setup into
// static/vendor/experience.js (never committed). The page's CSP allows no inline script and no
// eval; everything here builds the DOM from text.
import {
  AmbientLight,
  AudioListener,
  BoxGeometry,
  BufferGeometry,
  CanvasTexture,
  CapsuleGeometry,
  Color,
  ConeGeometry,
  CylinderGeometry,
  DirectionalLight,
  Group,
  HemisphereLight,
  Line,
  LineBasicMaterial,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  PlaneGeometry,
  PointLight,
  PositionalAudio,
  Scene,
  SphereGeometry,
  SRGBColorSpace,
  Sprite,
  SpriteMaterial,
  TextureLoader,
  Vector3,
  WebGLRenderer,
} from "three";
import { parseVtt, cueAt } from "./captions.js";

const data = JSON.parse(document.getElementById("experience-data").textContent);
const strings = document.getElementById("experience-strings").dataset;
const stage = document.getElementById("scene-stage");
const canvas = document.getElementById("scene");
const captionBox = document.getElementById("scene-caption");
const titleEl = document.getElementById("chapter-title");
const textEl = document.getElementById("chapter-text");
const stepsEl = document.getElementById("chapter-steps");
const countEl = document.getElementById("chapter-count");
const prevButton = document.getElementById("chapter-prev");
const nextButton = document.getElementById("chapter-next");
const voiceButton = document.getElementById("voice-toggle");
const vrButton = document.getElementById("enter-vr");
const seekInput = document.getElementById("voice-seek");
const seekField = document.getElementById("voice-seek-field");
const motionQuery = window.matchMedia("(prefers-reduced-motion: reduce)");

const chapters = data.chapters.length ? data.chapters : [{ title: data.recipe.name, text: "", steps: [], audio: null, captions: null, focus: "hearth", ingredients: [], generation: null }];
let current = 0;
let reduced = motionQuery.matches;
stage.dataset.motion = reduced ? "reduced" : "full";
motionQuery.addEventListener("change", (event) => {
  reduced = event.matches;
  stage.dataset.motion = reduced ? "reduced" : "full";
});

// --- text helpers -----------------------------------------------------------------------------

function setParagraphs(element, text) {
  element.replaceChildren();
  for (const line of String(text || "").split("\n")) {
    if (!line.trim()) continue;
    const p = document.createElement("p");
    p.textContent = line;
    element.append(p);
  }
}

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (_m, key) => String(values[key] ?? ""));
}

function hashColour(text) {
  let h = 0;
  for (const ch of String(text)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return new Color().setHSL((h % 360) / 360, 0.55, 0.5);
}

function labelTexture(lines, { width = 512, height = 128, background = "rgba(24,16,10,0.85)", colour = "#fff8e7" } = {}) {
  const c = document.createElement("canvas");
  c.width = width;
  c.height = height;
  const g = c.getContext("2d");
  g.fillStyle = background;
  g.fillRect(0, 0, width, height);
  g.fillStyle = colour;
  g.textBaseline = "top";
  const size = Math.floor(height / (lines.length + 0.8));
  lines.forEach((line, i) => {
    g.font = `${i === 0 ? "bold " : ""}${Math.floor(size * 0.8)}px sans-serif`;
    g.fillText(String(line).slice(0, 60), 16, 10 + i * size, width - 32);
  });
  const texture = new CanvasTexture(c);
  texture.colorSpace = SRGBColorSpace;
  return texture;
}

function label(lines, scale = 1, options = {}) {
  const sprite = new Sprite(new SpriteMaterial({ map: labelTexture(lines, options), depthWrite: false }));
  const ratio = (options.width || 512) / (options.height || 128);
  sprite.scale.set(ratio * 0.35 * scale, 0.35 * scale, 1);
  return sprite;
}

// --- the scene ----------------------------------------------------------------------------------

let renderer;
try {
  renderer = new WebGLRenderer({ canvas, antialias: true, powerPreference: "low-power" });
} catch (error) {
  stage.dataset.state = "no-webgl";
  captionBox.textContent = strings.noWebgl;
  captionBox.dataset.empty = "false";
}

const scene = new Scene();
scene.background = new Color(0x2a1d14);
const rig = new Group();
scene.add(rig);
const camera = new PerspectiveCamera(55, 16 / 9, 0.05, 100);
camera.position.set(0, 2.4, 4.5);
rig.add(camera);

scene.add(new AmbientLight(0xfff1dc, 0.55));
scene.add(new HemisphereLight(0xffe6c4, 0x3b2a1e, 0.6));
const sun = new DirectionalLight(0xffffff, 1.1);
sun.position.set(4, 8, 5);
scene.add(sun);

const wood = new MeshStandardMaterial({ color: 0x8b5a2b, roughness: 0.8 });
const floor = new Mesh(new PlaneGeometry(30, 30), new MeshStandardMaterial({ color: 0x6b4a32, roughness: 0.95 }));
floor.rotation.x = -Math.PI / 2;
scene.add(floor);
const wall = new Mesh(new PlaneGeometry(30, 6), new MeshStandardMaterial({ color: 0xc9a27c, roughness: 1 }));
wall.position.set(0, 3, -6);
scene.add(wall);

// the hearth, its fire and pot
const HEARTH = new Vector3(-4, 0, -3.5);
const hearth = new Group();
hearth.position.copy(HEARTH);
const bricks = new Mesh(new BoxGeometry(2.4, 0.9, 1.4), new MeshStandardMaterial({ color: 0x9c4a2f, roughness: 0.9 }));
bricks.position.y = 0.45;
hearth.add(bricks);
const flames = [];
[[0xff7b00, 0], [0xffc300, 0.25], [0xff4800, -0.25]].forEach(([colour, x], i) => {
  const flame = new Mesh(new ConeGeometry(0.22 - i * 0.03, 0.7 - i * 0.1, 12), new MeshStandardMaterial({ color: colour, emissive: colour, emissiveIntensity: 1.2 }));
  flame.position.set(x, 1.2, 0);
  hearth.add(flame);
  flames.push(flame);
});
const pot = new Mesh(new CylinderGeometry(0.55, 0.45, 0.6, 24), new MeshStandardMaterial({ color: 0x8a3b1c, roughness: 0.6 }));
pot.position.set(0, 1.35, 0);
hearth.add(pot);
const fireLight = new PointLight(0xff8a3c, 6, 10, 1.6);
fireLight.position.set(0, 1.6, 0.6);
hearth.add(fireLight);
scene.add(hearth);

// the storyteller, whose voice comes from their place by the hearth
const teller = new Group();
teller.position.set(-2.4, 0, -2.6);
const body = new Mesh(new CylinderGeometry(0.28, 0.38, 1.2, 16), new MeshStandardMaterial({ color: 0x7a1f4b, roughness: 0.8 }));
body.position.y = 0.6;
const head = new Mesh(new SphereGeometry(0.2, 20, 16), new MeshStandardMaterial({ color: 0xa0704f, roughness: 0.7 }));
head.position.y = 1.4;
teller.add(body, head);
scene.add(teller);

// the table and the ingredients on it
const TABLE = new Vector3(0, 0, 0);
const table = new Group();
const top = new Mesh(new BoxGeometry(3.2, 0.1, 1.8), wood);
top.position.y = 0.9;
table.add(top);
for (const [x, z] of [[-1.45, -0.75], [1.45, -0.75], [-1.45, 0.75], [1.45, 0.75]]) {
  const leg = new Mesh(new BoxGeometry(0.1, 0.9, 0.1), wood);
  leg.position.set(x, 0.45, z);
  table.add(leg);
}
scene.add(table);
const shapes = [new SphereGeometry(0.13, 16, 12), new CylinderGeometry(0.1, 0.12, 0.26, 16), new BoxGeometry(0.22, 0.16, 0.22), new ConeGeometry(0.12, 0.28, 12)];
const ingredients = data.ingredients.slice(0, 24).map((item, i) => {
  const colour = hashColour(item.food || item.line);
  const material = new MeshStandardMaterial({ color: colour, emissive: colour, emissiveIntensity: 0, roughness: 0.6 });
  const mesh = new Mesh(shapes[i % shapes.length], material);
  const columns = 6;
  const x = -1.25 + (i % columns) * 0.5;
  const z = -0.5 + Math.floor(i / columns) * 0.45;
  mesh.position.set(x, 1.08, z);
  table.add(mesh);
  const tag = label([item.food || item.line], 0.55, { width: 384, height: 64 });
  tag.position.set(x, 1.38, z);
  tag.visible = false;
  table.add(tag);
  return { mesh, tag };
});

// the path of generations
const generations = [...data.lineage].sort((a, b) => a.generation - b.generation);
const stones = generations.map((person, i) => {
  const at = new Vector3(3 + i * 1.6, 0, 1 - i * 1.7);
  const stone = new Mesh(new CylinderGeometry(0.45, 0.5, 0.12, 20), new MeshStandardMaterial({ color: 0x8d8f8a, roughness: 0.9 }));
  stone.position.set(at.x, 0.06, at.z);
  scene.add(stone);
  const post = new Mesh(new BoxGeometry(0.08, 1.2, 0.08), wood);
  post.position.set(at.x, 0.6, at.z);
  scene.add(post);
  const where = [person.relation, person.place, person.period].filter(Boolean).join(", ");
  const sign = label([person.name, where], 1.2);
  sign.position.set(at.x, 1.5, at.z);
  scene.add(sign);
  return { at, stone, person };
});
if (stones.length > 1) {
  const points = stones.map((s) => new Vector3(s.at.x, 0.14, s.at.z));
  scene.add(new Line(new BufferGeometry().setFromPoints(points), new LineBasicMaterial({ color: 0xffd166 })));
}

// the photo, where there is one
if (data.photo) {
  const frame = new Mesh(new PlaneGeometry(2.0, 1.5), new MeshStandardMaterial({ color: 0xffffff }));
  frame.position.set(0, 2.6, -5.95);
  new TextureLoader().load(data.photo, (texture) => {
    texture.colorSpace = SRGBColorSpace;
    frame.material.map = texture;
    frame.material.needsUpdate = true;
    dirty = true;
  });
  scene.add(frame);
}

// a board that shows the chapter and the caption inside the scene (read in a headset too)
const board = new Sprite(new SpriteMaterial({ map: labelTexture([""]), depthWrite: false }));
board.scale.set(2.2, 0.55, 1);
scene.add(board);

function focusOf(chapter) {
  if (chapter.focus === "table") {
    return { eye: new Vector3(0, 2.3, 2.9), target: new Vector3(0, 0.95, 0), board: new Vector3(0, 2.1, -0.9) };
  }
  if (chapter.focus === "lineage" && stones.length) {
    const stone = stones.find((s) => s.person.generation === chapter.generation);
    if (stone) {
      const target = stone.at.clone().add(new Vector3(0, 1.1, 0));
      return { eye: stone.at.clone().add(new Vector3(1.6, 1.7, 2.6)), target, board: stone.at.clone().add(new Vector3(0, 2.3, -0.4)) };
    }
    const middle = stones[Math.floor(stones.length / 2)].at;
    return { eye: middle.clone().add(new Vector3(2.5, 3.2, 5)), target: middle.clone().add(new Vector3(0, 0.6, 0)), board: middle.clone().add(new Vector3(0, 2.6, -1)) };
  }
  return { eye: new Vector3(-1.6, 1.8, 1.6), target: HEARTH.clone().add(new Vector3(0, 1.1, 0)), board: HEARTH.clone().add(new Vector3(1.6, 2.5, 0.6)) };
}

// --- camera: glides between chapters, or cuts when motion is reduced -------------------------

const look = new Vector3();
const glide = { from: new Vector3(), to: new Vector3(), lookFrom: new Vector3(), lookTo: new Vector3(), t: 1 };
let orbitYaw = 0;
let orbitPitch = 0;

function placeCamera(eye, target) {
  const offset = eye.clone().sub(target);
  offset.applyAxisAngle(new Vector3(0, 1, 0), orbitYaw);
  offset.y += orbitPitch * offset.length();
  camera.position.copy(target).add(offset);
  camera.lookAt(target);
}

function moveTo(chapter) {
  const focus = focusOf(chapter);
  board.position.copy(focus.board);
  orbitYaw = 0;
  orbitPitch = 0;
  if (reduced || glide.t === undefined) {
    glide.t = 1;
    glide.to.copy(focus.eye);
    glide.lookTo.copy(focus.target);
    stage.dataset.transition = "cut";
  } else {
    glide.from.copy(camera.position);
    glide.lookFrom.copy(look);
    glide.to.copy(focus.eye);
    glide.lookTo.copy(focus.target);
    glide.t = 0;
    stage.dataset.transition = "glide";
  }
  if (renderer && renderer.xr.isPresenting) placeRig(focus);
}

function placeRig(focus) {
  rig.position.set(focus.eye.x, 0, focus.eye.z);
  const toward = focus.target.clone().sub(focus.eye);
  rig.rotation.set(0, Math.atan2(-toward.x, -toward.z), 0);
}

// --- voices and captions -------------------------------------------------------------------

const captionCache = new Map();
const players = new Map();
let listener = null;
let playing = null; // { el, chapter }

async function cuesFor(url) {
  if (!url) return [];
  if (!captionCache.has(url)) {
    captionCache.set(url, fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.text() : "")).then(parseVtt).catch(() => []));
  }
  return captionCache.get(url);
}

function ensureAudio() {
  if (listener) return;
  listener = new AudioListener();
  camera.add(listener);
}

function playerFor(url) {
  if (!players.has(url)) {
    const el = document.createElement("audio");
    el.preload = "auto";
    el.src = url;
    el.hidden = true;
    el.className = "scene-voice";
    document.body.append(el);
    // the host's play, pause and seek go to everyone present
    for (const kind of ["play", "pause", "seeked"]) {
      el.addEventListener(kind, () => {
        if (leading()) sendLead();
      });
    }
    el.addEventListener("loadedmetadata", () => fitSeek());
    let sound = null;
    try {
      sound = new PositionalAudio(listener);
      sound.setMediaElementSource(el);
      sound.setRefDistance(2);
      head.add(sound);
    } catch (error) {
      sound = null; // plain playback still works without the Web Audio graph
    }
    players.set(url, { el, sound });
  }
  return players.get(url);
}

function stopVoice() {
  if (playing) playing.el.pause();
  playing = null;
  voiceButton.textContent = strings.play;
  if (stage.dataset.voice === "playing") stage.dataset.voice = "paused";
}

// the voice's position: a slider over the chapter's stretch of the recording
function currentPlayer() {
  const chapter = chapters[current];
  return chapter.audio && players.has(chapter.audio.url) ? players.get(chapter.audio.url).el : null;
}

function fitSeek() {
  if (!seekInput) return;
  const chapter = chapters[current];
  seekField.hidden = !chapter.audio;
  if (!chapter.audio) return;
  const el = currentPlayer();
  const start = chapter.audio.start_s || 0;
  const known = el && Number.isFinite(el.duration) ? el.duration : start + 60;
  seekInput.min = String(start);
  seekInput.max = String(Math.max(start, Math.min(chapter.audio.end_s ?? known, known)));
  seekInput.disabled = following(); // followers hear where the host is
  showSeek();
}

function showSeek() {
  if (!seekInput || seekInput === document.activeElement) return;
  const el = currentPlayer();
  if (el) seekInput.value = String(el.currentTime);
}

if (seekInput) {
  seekInput.addEventListener("input", () => {
    const chapter = chapters[current];
    if (!chapter.audio || following()) return;
    const { el } = playerFor(chapter.audio.url);
    const to = Number(seekInput.value);
    if (Number.isFinite(to)) el.currentTime = to;
  });
}

function startVoice(chapter, byPerson) {
  stopVoice();
  if (!chapter.audio) return;
  if (byPerson) ensureAudio();
  if (!listener) return;
  if (listener.context.state === "suspended") listener.context.resume();
  const { el } = playerFor(chapter.audio.url);
  const start = chapter.audio.start_s || 0;
  const begin = () => {
    el.currentTime = start;
    el.play().then(() => {
      voiceButton.textContent = strings.pause;
      stage.dataset.voice = "playing";
    }).catch(() => {
      stage.dataset.voice = "blocked";
    });
  };
  playing = { el, chapter };
  if (el.readyState >= 1) begin();
  else el.addEventListener("loadedmetadata", begin, { once: true });
}

async function showCaption() {
  const chapter = chapters[current];
  const cues = await cuesFor(chapter.captions);
  if (chapter !== chapters[current]) return;
  let text = "";
  if (chapter.audio && cues.length) {
    const start = chapter.audio.start_s || 0;
    const end = chapter.audio.end_s ?? Infinity;
    const time = playing && playing.chapter === chapter ? playing.el.currentTime : start;
    const cue = cueAt(cues, Math.min(Math.max(time, start), end - 0.001)) || cues.find((c) => c.end > start && c.start < end);
    text = cue ? cue.text : "";
  }
  if (captionBox.textContent !== text) {
    captionBox.textContent = text;
    captionBox.dataset.empty = text ? "false" : "true";
    board.material.map.dispose();
    board.material.map = labelTexture([chapter.title, text.slice(0, 60)], { width: 1024, height: 256 });
    board.material.needsUpdate = true;
    dirty = true;
  }
}

// --- chapters ------------------------------------------------------------------------------

function show(index, byPerson) {
  current = Math.max(0, Math.min(chapters.length - 1, index));
  const chapter = chapters[current];
  titleEl.textContent = chapter.title;
  titleEl.dataset.chapter = String(current);
  stage.dataset.chapter = String(current);
  setParagraphs(textEl, chapter.text);
  stepsEl.replaceChildren(...chapter.steps.map((step) => {
    const li = document.createElement("li");
    li.textContent = step;
    return li;
  }));
  countEl.textContent = format(strings.chapterOf, { n: current + 1, total: chapters.length });
  prevButton.disabled = current === 0;
  nextButton.disabled = current === chapters.length - 1;
  const lit = new Set(chapter.ingredients);
  ingredients.forEach(({ mesh, tag }, i) => {
    const on = lit.has(i);
    mesh.material.emissiveIntensity = on ? 0.6 : 0;
    mesh.scale.setScalar(on ? 1.35 : 1);
    tag.visible = on;
  });
  stones.forEach(({ stone, person }) => {
    stone.material.color.set(person.generation === chapter.generation ? 0xffd166 : 0x8d8f8a);
  });
  voiceButton.hidden = !chapter.audio;
  board.material.map.dispose();
  board.material.map = labelTexture([chapter.title], { width: 1024, height: 256 });
  captionBox.textContent = "";
  captionBox.dataset.empty = "true";
  dirty = true;
  moveTo(chapter);
  if (following()) followVoice();
  else startVoice(chapter, byPerson);
  fitSeek();
  showCaption();
  if (byPerson && leading()) sendLead();
}

const next = () => show(current + 1, true);
const previous = () => show(current - 1, true);
prevButton.addEventListener("click", previous);
nextButton.addEventListener("click", next);
voiceButton.addEventListener("click", () => {
  if (playing && !playing.el.paused) {
    stopVoice(); // the host's pause reaches everyone (the element's pause event)
  } else if (following()) {
    ensureAudio(); // a follower whose browser blocked sound joins in where the host is
    followVoice();
  } else {
    startVoice(chapters[current], true);
  }
});

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) return;
  const onControl = target instanceof HTMLElement && target.closest("button, a");
  if (["ArrowRight", "ArrowDown", "PageDown"].includes(event.key) || (event.key === " " && !onControl)) {
    event.preventDefault();
    next();
  } else if (["ArrowLeft", "ArrowUp", "PageUp"].includes(event.key)) {
    event.preventDefault();
    previous();
  }
});

// click or tap advances; dragging looks around (touch and mouse alike)
let press = null;
canvas.addEventListener("pointerdown", (event) => {
  press = { x: event.clientX, y: event.clientY, yaw: orbitYaw, pitch: orbitPitch, moved: false };
  canvas.setPointerCapture(event.pointerId);
});
canvas.addEventListener("pointermove", (event) => {
  if (!press) return;
  const dx = event.clientX - press.x;
  const dy = event.clientY - press.y;
  if (Math.abs(dx) + Math.abs(dy) > 6) press.moved = true;
  if (press.moved) {
    orbitYaw = press.yaw - dx * 0.005;
    orbitPitch = Math.max(-0.4, Math.min(0.6, press.pitch + dy * 0.003));
  }
});
canvas.addEventListener("pointerup", () => {
  if (press && !press.moved) next();
  press = null;
});
canvas.addEventListener("pointercancel", () => {
  press = null;
});

// --- WebXR: an "Enter VR" button only where the browser offers immersive-vr -------------------

if (renderer) {
  renderer.xr.enabled = true;
  for (const index of [0, 1]) {
    const controller = renderer.xr.getController(index);
    controller.addEventListener("select", () => {
      stage.dataset.xrSelects = String(Number(stage.dataset.xrSelects || 0) + 1);
      next();
    });
    const ray = new Line(new BufferGeometry().setFromPoints([new Vector3(0, 0, 0), new Vector3(0, 0, -1.5)]), new LineBasicMaterial({ color: 0xffffff }));
    controller.add(ray);
    rig.add(controller);
  }
}

async function offerVr() {
  if (!renderer || !navigator.xr || !navigator.xr.isSessionSupported) return;
  let supported = false;
  try {
    supported = await navigator.xr.isSessionSupported("immersive-vr");
  } catch (error) {
    supported = false;
  }
  if (!supported) return;
  vrButton.hidden = false;
  const enterText = vrButton.textContent;
  let session = null;
  vrButton.addEventListener("click", async () => {
    if (session) {
      await session.end();
      return;
    }
    ensureAudio();
    session = await navigator.xr.requestSession("immersive-vr", { optionalFeatures: ["local-floor"] });
    renderer.xr.setReferenceSpaceType("local-floor");
    await renderer.xr.setSession(session);
    placeRig(focusOf(chapters[current]));
    stage.dataset.xr = "presenting";
    vrButton.textContent = strings.exitVr;
    session.addEventListener("end", () => {
      session = null;
      rig.position.set(0, 0, 0);
      rig.rotation.set(0, 0, 0);
      stage.dataset.xr = "ended";
      vrButton.textContent = enterText;
    });
  });
}

// --- gatherings: the host leads, everyone present follows (server-sent events) ----------------

const gathering = data.gathering || null;
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
const avatars = [];

function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: JSON.stringify(body),
  });
}

function leading() {
  return Boolean(gathering && gathering.host && gathering.open);
}

// the host ends the gathering: nothing is led from then on (the voice pausing as the page
// goes would report a move the server can only refuse, the gathering being over)
if (gathering) {
  const ending = document.querySelector(`form[action$="/gatherings/${gathering.id}/close"]`);
  ending?.addEventListener("submit", () => {
    gathering.open = false;
  });
}

function following() {
  return Boolean(gathering && !gathering.host && gathering.open);
}

// one report at a time, in order; a move made meanwhile is sent (as it then is) right after
let leadBusy = false;
let leadAgain = false;

function sendLead() {
  if (leadBusy) {
    leadAgain = true;
    return;
  }
  leadBusy = true;
  const chapter = chapters[current];
  const el = currentPlayer();
  const on = Boolean(chapter.audio && el && playing && playing.el === el && !el.paused);
  const at = chapter.audio && el ? Math.max(0, el.currentTime || 0) : 0;
  post(gathering.lead, { chapter: current, audio_s: at, playing: on })
    .catch(() => {})
    .finally(() => {
      leadBusy = false;
      if (leadAgain) {
        leadAgain = false;
        sendLead();
      }
    });
}

// followers: where the host's voice was last reported, and when that report arrived
let hostVoice = gathering && !gathering.host
  ? { chapter: gathering.chapter, recording_id: gathering.recording_id, audio_s: gathering.audio_s, playing: gathering.playing, at: performance.now() }
  : null;

function hostPosition() {
  const moved = hostVoice.playing ? (performance.now() - hostVoice.at) / 1000 : 0;
  return hostVoice.audio_s + moved;
}

function followVoice() {
  const chapter = chapters[current];
  // only the very recording the host plays, and only if this listener's own chapter has it
  // (the teller's consent is checked for each listener: no audio here means no voice)
  const same = hostVoice && chapter.audio && hostVoice.chapter === current && hostVoice.recording_id === chapter.recording_id;
  if (!same) {
    stopVoice();
    return;
  }
  const { el } = playerFor(chapter.audio.url);
  const apply = () => {
    if (!hostVoice || hostVoice.chapter !== current) return;
    const target = hostPosition();
    if (Math.abs(el.currentTime - target) > 0.25) el.currentTime = target;
    showSeek();
    if (!hostVoice.playing) {
      if (playing && playing.el === el) stopVoice();
      else el.pause();
      return;
    }
    playing = { el, chapter };
    if (!el.paused) return;
    el.play().then(() => {
      voiceButton.textContent = strings.pause;
      stage.dataset.voice = "playing";
    }).catch(() => {
      stage.dataset.voice = "blocked"; // the browser wants a tap first: the voice button joins in
      voiceButton.textContent = strings.play;
    });
  };
  if (el.readyState >= 1) apply();
  else el.addEventListener("loadedmetadata", apply, { once: true });
}

function showPresence(count, guests = [], anonymous = 0) {
  const el = document.getElementById("presence-count");
  if (el) {
    el.textContent = format(strings.present, { n: count });
    el.dataset.count = String(count);
  }
  // visitors from other communities: by name only where their own community vouched for them
  const list = document.getElementById("presence-guests");
  if (list) {
    list.replaceChildren(...guests.map((name) => {
      const li = document.createElement("li");
      li.textContent = format(strings.guest, { name });
      return li;
    }));
    list.hidden = guests.length === 0;
  }
  const others = document.getElementById("presence-anonymous");
  if (others) {
    others.textContent = format(strings.anonymous, { n: anonymous });
    others.dataset.count = String(anonymous);
    others.hidden = anonymous === 0;
  }
  stage.dataset.presence = String(count);
  dirty = true;
  // the others present, as simple figures around the table
  while (avatars.length < Math.min(count - 1, 12)) {
    const i = avatars.length;
    const figure = new Mesh(new CapsuleGeometry(0.18, 0.7, 4, 10), new MeshStandardMaterial({ color: hashColour(`guest${i}`) }));
    const angle = Math.PI * (0.15 + 0.7 * ((i % 6) / 5));
    figure.position.set(Math.cos(angle) * 2.4 * (i < 6 ? 1 : -1), 0.55, Math.sin(angle) * 1.6 * (i < 6 ? 1 : -1));
    scene.add(figure);
    avatars.push(figure);
  }
  avatars.forEach((figure, i) => {
    figure.visible = i < count - 1;
  });
}

function followHost(message) {
  hostVoice = {
    chapter: message.chapter,
    recording_id: message.recording_id ?? null,
    audio_s: Number(message.audio_s) || 0,
    playing: Boolean(message.playing),
    at: performance.now(),
  };
  if (message.chapter !== current) show(message.chapter, false);
  else followVoice();
}

if (gathering) {
  stage.dataset.role = gathering.host ? "host" : "follower";
  const client = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).slice(0, 64);
  const beat = () => post(gathering.presence, { client, chapter: current, guest_pass: gathering.guest_pass || null })
    .then((response) => (response.ok ? response.json() : null))
    .then((answer) => answer && showPresence(answer.count, answer.guests, answer.anonymous))
    .catch(() => {});
  if (gathering.open) {
    const events = new EventSource(gathering.live);
    events.addEventListener("open", () => {
      stage.dataset.live = "connected";
      beat();
    });
    events.addEventListener("lead", (event) => {
      if (!gathering.host) followHost(JSON.parse(event.data));
    });
    events.addEventListener("presence", (event) => {
      const message = JSON.parse(event.data);
      showPresence(message.count, message.guests || [], message.anonymous || 0);
    });
    events.addEventListener("closed", () => {
      gathering.open = false;
      stage.dataset.live = "closed";
      events.close();
    });
    window.setInterval(() => {
      beat();
      if (leading() && playing) sendLead(); // followers' clocks drift: the host reminds them
    }, 5000);
  }
}

// --- drawing ---------------------------------------------------------------------------------

function resize() {
  if (!renderer || renderer.xr.isPresenting) return;
  const width = canvas.clientWidth || 640;
  const height = canvas.clientHeight || 360;
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 1.5));
  renderer.setSize(width, height, false);
  camera.aspect = width / height;
  camera.updateProjectionMatrix();
  dirty = true;
}

let frames = 0;
let last = performance.now();
let drawn = -Infinity;
let dirty = true; // something changed that must be drawn now
const IDLE_FRAME_MS = 100; // a still scene (only the fire moving) is drawn ten times a second

function frame(now) {
  const dt = Math.min(0.1, (now - last) / 1000);
  last = now;
  const busy = dirty || glide.t < 1 || press || playing || renderer.xr.isPresenting;
  if (!busy && (reduced || now - drawn < IDLE_FRAME_MS)) return;
  dirty = false;
  drawn = now;
  if (!renderer.xr.isPresenting) {
    if (glide.t < 1) {
      glide.t = Math.min(1, glide.t + dt / 1.6);
      const k = glide.t * glide.t * (3 - 2 * glide.t);
      look.lerpVectors(glide.lookFrom, glide.lookTo, k);
      camera.position.lerpVectors(glide.from, glide.to, k);
      camera.lookAt(look);
    } else {
      look.copy(glide.lookTo);
      placeCamera(glide.to, glide.lookTo);
    }
  }
  if (!reduced) {
    flames.forEach((flame, i) => {
      flame.scale.y = 1 + 0.12 * Math.sin(now / (140 + i * 37));
    });
    fireLight.intensity = 6 + 0.8 * Math.sin(now / 90);
  }
  if (playing) {
    const end = playing.chapter.audio.end_s;
    if (end != null && playing.el.currentTime >= end) stopVoice();
    if (frames % 10 === 0) {
      showCaption();
      showSeek();
    }
  }
  renderer.render(scene, camera);
  frames += 1;
  if (frames === 1) {
    const info = renderer.info.render;
    stage.dataset.firstFrameMs = String(Math.round(now));
    stage.dataset.drawCalls = String(info.calls);
    stage.dataset.triangles = String(info.triangles);
    let objects = 0;
    let sceneTriangles = 0;
    scene.traverse((object) => {
      if (!object.isMesh && !object.isSprite) return;
      objects += 1;
      const geometry = object.geometry;
      const count = geometry.index ? geometry.index.count : geometry.attributes.position.count;
      sceneTriangles += Math.floor(count / 3);
    });
    stage.dataset.sceneObjects = String(objects);
    stage.dataset.sceneTriangles = String(sceneTriangles);
    stage.dataset.state = "ready";
  }
  if (renderer.xr.isPresenting) stage.dataset.xrFrames = String(Number(stage.dataset.xrFrames || 0) + 1);
}

if (renderer) {
  resize();
  window.addEventListener("resize", resize);
  glide.t = undefined;
  show(gathering && !gathering.host ? gathering.chapter : 0, false);
  look.copy(glide.lookTo);
  renderer.setAnimationLoop(frame);
  offerVr();
} else {
  show(0, false);
}
