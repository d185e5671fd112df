"""Byte-compile the generated Python bindings and check the public API is in them.

PyPI is unreachable here, so jsii-pacmak runs with --code-only; this proves the
generated source is valid Python and exposes what the README promises.
"""
import ast
import pathlib
import py_compile
import sys

from readme_python import python_blocks

EXPECTED_CLASSES = [
    "ResultsStore",
    "ImagingIngest",
    "AnalysisWorkflow",
    "ClinicianNotifier",
    "MedicalImagingPipeline",
    "Analyzer",
    "IImageAnalyzer",
    "AnalyzerContract",
]


def check_python_source(where: str, source: str, defined: set) -> list:
    """Problems in one piece of Python: syntax, or names imported from the bindings that they do not define."""
    try:
        tree = ast.parse(source, filename=where)
        compile(tree, where, "exec")
    except SyntaxError as error:
        return [f"{where}: {error}"]
    return [f"{where}: cdk_medical_imaging_pipeline has no {alias.name}"
            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "cdk_medical_imaging_pipeline"
            for alias in node.names if alias.name not in defined]


def check_consumers(repo: pathlib.Path, bindings_source: str) -> list:
    """Problems in the README's Python blocks and the Python example app (examples/python)."""
    defined = {node.name for node in ast.parse(bindings_source).body if isinstance(node, ast.ClassDef)}
    readme = repo / "README.md"
    problems = []
    for line, source in python_blocks(readme.read_text(encoding="utf-8")):
        problems.extend(check_python_source(f"README.md block at line {line}", source, defined))
    examples = sorted((repo / "examples" / "python").glob("*.py"))
    if not examples:
        problems.append("examples/python holds no Python files")
    for example in examples:
        problems.extend(check_python_source(str(example.relative_to(repo)), example.read_text(encoding="utf-8"), defined))
    return problems


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
    repo = pathlib.Path(__file__).resolve().parent.parent
    problems = check_consumers(repo, source)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print("README Python blocks and examples/python OK: compiled, their imports found in the bindings")
    print(f"Python bindings OK: {len(files)} files compiled; found {', '.join(EXPECTED_CLASSES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dist/python-src"))
