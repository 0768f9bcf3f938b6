"""The grader's Python has no unused imports or undefined names (pyflakes, from Debian)."""
import subprocess

from conftest import KIT


def test_pyflakes_clean():
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.py"], cwd=KIT,
                           capture_output=True, text=True, check=True).stdout.split()
    proc = subprocess.run(["pyflakes3", *files], cwd=KIT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
