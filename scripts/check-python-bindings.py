"""Byte-compile the generated Python bindings and check the public API is in them.

PyPI is unreachable here, so jsii-pacmak runs with --code-only; this proves the
generated source is valid Python and exposes what the README promises.
"""
import pathlib
import py_compile
import sys

EXPECTED_CLASSES = [
    "ResultsStore",
    "ImagingIngest",
    "AnalysisWorkflow",
    "ClinicianNotifier",
    "MedicalImagingPipeline",
    "Analyzer",
    "IImageAnalyzer",
]


def main(root: str) -> int:
    files = sorted(pathlib.Path(root).rglob("*.py"))
    if not files:
        print(f"no Python files under {root}", file=sys.stderr)
        return 1
    for f in files:
        py_compile.compile(str(f), doraise=True)
    inits = [f for f in files if f.parent.name == "cdk_medical_imaging_pipeline" and f.name == "__init__.py"]
    if len(inits) != 1:
        print(f"expected one cdk_medical_imaging_pipeline/__init__.py, found {len(inits)}", file=sys.stderr)
        return 1
    source = inits[0].read_text(encoding="utf-8")
    missing = [name for name in EXPECTED_CLASSES if f"class {name}(" not in source]
    if missing:
        print(f"Python bindings lack: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"Python bindings OK: {len(files)} files compiled; found {', '.join(EXPECTED_CLASSES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dist/python-src"))
