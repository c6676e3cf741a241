"""Runs the chapter's simulate_dvs_output (section 18.1.3, verbatim apart from the typeset
underscores) on a small video and writes frames + events to tests/fixtures/dvs-chapter.json,
so tests/dvs-chapter.test.ts checks our port against NumPy itself."""
import json
import numpy as np


def simulate_dvs_output(video_frames, threshold=0.1):
    events = []
    prev_frame = video_frames[0]
    for t, frame in enumerate(video_frames[1:], 1):
        log_diff = np.log(frame + 1e-6) - np.log(prev_frame + 1e-6)
        on_events = np.where(log_diff > threshold)
        for y, x in zip(on_events[0], on_events[1]):
            events.append((x, y, t, 1))
        off_events = np.where(log_diff < -threshold)
        for y, x in zip(off_events[0], off_events[1]):
            events.append((x, y, t, -1))
        prev_frame = frame
    return events


rng = np.random.default_rng(7)
T, H, W = 6, 5, 7
frames = rng.uniform(0, 1, size=(T, H, W))
frames[2, 1, :] = 0.0  # zeros exercise the 1e-6
frames[3, 2, 3] = frames[2, 2, 3] * np.exp(0.1) # a change right at the threshold
frames[4] = np.round(frames[3] * 255) / 255  # small quantization changes
out = {}
for thr in (0.1, 0.3):
    ev = simulate_dvs_output(frames, thr)
    out[str(thr)] = [[int(x), int(y), int(t), int(p)] for x, y, t, p in ev]
json.dump({"width": W, "height": H, "frames": frames.reshape(T, -1).tolist(), "events": out}, open("tests/fixtures/dvs-chapter.json", "w"))
print({k: len(v) for k, v in out.items()})
