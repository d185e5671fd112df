"""The Python stack doing what prepareObject does, for the ingest benchmark.

pydicom reads, the identifying attributes are blanked, the UIDs pseudonymized
with a keyed HMAC and the de-identified object written out as Part 10 (as
prepareObject returns it), numpy applies rescale and the linear VOI window (the
file's, else the 1st-99th percentile), Pillow box-downscales the analysis copy
and writes both PNGs at zlib level 3 (ours: level 3). Timed per iteration inside
Python, so interpreter start-up and imports are not counted (the benchmark
measures them separately).

    python3 python_ingest.py <image.dcm> <iterations> <analysis-max-dimension>

Prints one JSON line: timesMs, cpuMs, maxRssBytes (VmHWM), ruMaxRssBytes, outputBytes.
"""
import base64
import hashlib
import hmac
import io
import json
import resource
import sys
import time

import numpy as np
import pydicom
from PIL import Image

KEY = bytes([42]) * 32
PNG_LEVEL = 3
WARM_UP_ITERATIONS = 8
# The attributes the generator fills with PHI that are not UIDs.
BLANKED = ("PatientName", "PatientID", "PatientBirthDate", "AccessionNumber", "InstitutionName")


def pseudonym(namespace, value):
    digest = hmac.new(KEY, namespace.encode() + b"\0" + value.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:26]


def fit_within(width, height, max_dimension):
    long_side = max(width, height)
    if long_side <= max_dimension:
        return width, height
    scale = max_dimension / long_side
    return max(1, min(max_dimension, round(width * scale))), max(1, min(max_dimension, round(height * scale)))


def png_bytes(image):
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=PNG_LEVEL)
    return out.getvalue()


def prepare(data, analysis_max):
    source_sha256 = hashlib.sha256(data).hexdigest()
    ds = pydicom.dcmread(io.BytesIO(data))
    keys = (
        pseudonym("study", ds.StudyInstanceUID),
        pseudonym("series", ds.SeriesInstanceUID),
        pseudonym("instance", ds.SOPInstanceUID),
    )
    for keyword in BLANKED:
        if keyword in ds:
            setattr(ds, keyword, "")
    ds.PatientIdentityRemoved = "YES"
    deidentified = io.BytesIO()
    ds.save_as(deidentified, write_like_original=False)

    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    values = ds.pixel_array.astype(np.float32) * slope + intercept
    if "WindowCenter" in ds and "WindowWidth" in ds and float(ds.WindowWidth) >= 1:
        center, width = float(ds.WindowCenter), float(ds.WindowWidth)
    else:
        low, high = np.percentile(values, [1, 99])
        center, width = (low + high) / 2 + 0.5, high - low + 1
    # DICOM linear VOI function (PS3.3 C.11.2.1.2), as the TypeScript renderer does.
    scaled = ((values - (center - 0.5)) / (width - 1) + 0.5) * 255
    gray = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        gray = 255 - gray

    preview = Image.fromarray(gray, mode="L")
    size = fit_within(preview.width, preview.height, analysis_max)
    analysis = preview if size == preview.size else preview.resize(size, Image.BOX)
    return keys, source_sha256, deidentified.getvalue(), png_bytes(preview), png_bytes(analysis)


def peak_rss_bytes():
    """VmHWM: getrusage's ru_maxrss is inherited from the parent across fork + exec on Linux."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def main():
    path, iterations, analysis_max = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(path, "rb") as f:
        data = f.read()
    # Untimed warm-up iterations, as many as the TypeScript side runs (phase.ts WARM_UP_ITERATIONS).
    _, _, dicom, preview, analysis = prepare(data, analysis_max)
    for _ in range(WARM_UP_ITERATIONS - 1):
        prepare(data, analysis_max)
    times = []
    cpu = []
    for _ in range(iterations):
        cpu_start = time.process_time()  # all threads of the process, user + system
        start = time.perf_counter()  # inside the CPU clock, as phase.ts reads them
        prepare(data, analysis_max)
        wall = time.perf_counter() - start
        cpu.append((time.process_time() - cpu_start) * 1000)
        times.append(wall * 1000)
    print(json.dumps({
        "timesMs": times,
        "cpuMs": cpu,
        "maxRssBytes": peak_rss_bytes(),
        "ruMaxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "outputBytes": {"dicom": len(dicom), "preview": len(preview), "analysis": len(analysis)},
    }))


if __name__ == "__main__":
    main()
