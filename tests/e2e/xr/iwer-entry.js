// Test-only: Meta's iwer emulates a Quest 3 headset and its controllers, installed before any
// page script runs (Playwright add_init_script). Never bundled into the app.
import { XRDevice, metaQuest3 } from "iwer";

const device = new XRDevice(metaQuest3);
device.installRuntime({ forceInstall: true });
window.__xrDevice = device;
