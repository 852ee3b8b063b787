"""examples/dask_redact.py on a LocalCluster of 2 worker processes: the same bytes as the single-process CLI."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import SRC, cli, jsonl_corpus

EXAMPLE = os.path.join(SRC, "examples", "dask_redact.py")

try:
    import dask  # noqa: F401
    import distributed  # noqa: F401
    HAVE_DASK = True
except ImportError:
    HAVE_DASK = False


@unittest.skipUnless(HAVE_DASK, "needs Debian's python3-dask and python3-distributed (for /usr/bin/python3)")
class TestDask(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="piiscrub-dask.")
        cls.shards = os.path.join(cls.tmp, "in")
        os.mkdir(cls.shards)
        for i in range(8):
            lines = jsonl_corpus(400, seed=100 + i)
            data = "\n".join(lines) + ("\n" if i != 7 else "")  # the last shard ends without a newline
            with open(os.path.join(cls.shards, "shard-%02d.jsonl" % i), "wb") as f:
                f.write(data.encode("utf-8", "surrogateescape"))
        cls.key = os.path.join(cls.tmp, "key")
        with open(cls.key, "wb") as f:
            f.write(b"dask-test-key-0123456789abcdef01\n")
        os.chmod(cls.key, 0o600)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def run_example(self, mode, extra=(), cli_extra=()):
        out = os.path.join(self.tmp, "out-" + mode + "-".join(extra).replace("=", ""))
        env = dict(os.environ, PYTHONPATH=os.path.join(SRC, "python"))
        p = subprocess.run([sys.executable, EXAMPLE, self.shards, out, "--workers", "2", "--mode", mode, "--action",
                            "hash", "--key-file", self.key] + list(extra), env=env, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertIn("8 shards", p.stdout)
        pids = {line.rsplit("pid=", 1)[1] for line in p.stdout.splitlines() if "pid=" in line}
        self.assertEqual(len(pids), 2, "both worker processes took shards:\n" + p.stdout)
        for name in sorted(os.listdir(self.shards)):
            _, expected, _ = cli(["-f", "jsonl", "-a", "hash", "--key-file", self.key] + list(cli_extra),
                                 stdin_path=os.path.join(self.shards, name))
            with open(os.path.join(out, name), "rb") as f:
                got = f.read()
            self.assertEqual(got, expected, "%s (%s) differs from the CLI's output" % (name, mode))
            self.assertRegex(got.decode("utf-8", "replace"), r"\[EMAIL:[0-9a-f]+\]")
        self.assertEqual(sorted(os.listdir(out)), sorted(os.listdir(self.shards)))  # no .part files left

    def test_files_mode_equals_cli(self):
        self.run_example("files")

    def test_records_mode_with_gates_equals_cli(self):
        self.run_example("records", ["--require", "meta.consent=yes", "--field", "text"],
                         ["--require", "meta.consent=yes", "--field", "text"])


if __name__ == "__main__":
    unittest.main()
