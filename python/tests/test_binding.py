"""The Python binding against the CLI, byte for byte: /usr/bin/python3 -m unittest discover -s python/tests"""
import ctypes
import json
import os
import pickle
import random
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from support import BAD, RULES, SAMPLE, cli, cli_supports, jsonl_corpus, piiscrub, text_line

BASIC = os.path.join(RULES, "basic.yaml")


def enc(s):
    return s.encode("utf-8", "surrogateescape")


class TmpDir(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="piiscrub-py.")
        self.addCleanup(shutil.rmtree, self.tmp)

    def path(self, name, data=None):
        p = os.path.join(self.tmp, name)
        if data is not None:
            with open(p, "wb") as f:
                f.write(data)
            os.chmod(p, 0o600)
        return p


class TestTextAgreesWithCli(TmpDir):
    def test_sample_redact_lines_equals_cli(self):
        with open(SAMPLE, "rb") as f:
            data = f.read()
        for j in (1, 4):
            _, expected, _ = cli(["-j", str(j)], stdin_path=SAMPLE)
            lines = data.decode("utf-8", "surrogateescape").split("\n")
            self.assertEqual(lines[-1], "", "sample.txt ends with a newline")
            got = piiscrub.Scrubber(threads=j).redact_lines(lines[:-1])
            self.assertEqual(enc("\n".join(got) + "\n"), expected, "-j %d" % j)
            self.assertNotIn("jane.doe@example.com", "".join(got))

    def test_readlines_style_items_keep_their_newline(self):
        _, expected, _ = cli([], stdin_path=SAMPLE)
        with open(SAMPLE, encoding="utf-8", errors="surrogateescape", newline="") as f:
            lines = f.readlines()
        got = piiscrub.Scrubber().redact_lines(lines)
        self.assertEqual(len(got), len(lines))
        self.assertTrue(all(x.endswith("\n") for x in got))
        self.assertEqual(enc("".join(got)), expected)

    def test_redact_one_line_equals_cli_line(self):
        _, expected, _ = cli([], stdin_path=SAMPLE)
        s = piiscrub.Scrubber()
        with open(SAMPLE, encoding="utf-8", errors="surrogateescape", newline="") as f:
            lines = f.read().split("\n")[:-1]
        self.assertEqual(enc("\n".join(s.redact(x) for x in lines) + "\n"), expected)

    def test_bytes_in_bytes_out_and_any_bytes_survive(self):
        rng = random.Random(3)
        lines = [enc(text_line(rng)) for _ in range(2000)]
        lines += [b"\xff\xfe bad utf-8 jane.doe@mail.example.net \xc3", b"nul\x00byte 4111 1111 1111 1111",
                  b"crlf (212) 555-0143\r", b"", b"\r", b"\xe2\x82"]
        data = b"\n".join(lines) + b"\n"
        _, expected, _ = cli(["-j", "2"], data)
        s = piiscrub.Scrubber(threads=2)
        got = s.redact_lines(lines)
        self.assertTrue(all(isinstance(x, bytes) for x in got))
        self.assertEqual(b"\n".join(got) + b"\n", expected)
        # The same lines as str (surrogateescape) give the same bytes.
        got_str = s.redact_lines([x.decode("utf-8", "surrogateescape") for x in lines])
        self.assertEqual(enc("\n".join(got_str) + "\n"), expected)
        for line, want in zip(lines, expected.split(b"\n")):
            self.assertEqual(s.redact(line), want)

    def test_items_with_newlines_map_back(self):
        s = piiscrub.Scrubber(rules=BASIC)
        items = ["a jane.doe@mail.example.net", "x\ny (555) 867-5309\nz", "", "\n", "last\n"]
        got = s.redact_lines(items)
        self.assertEqual(got, ["a [EMAIL]", "x\ny [PHONE]\nz", "", "\n", "last\n"])
        self.assertEqual(s.redact("one (555) 867-5309\ntwo jane.doe@mail.example.net\r\n"),
                         "one [PHONE]\ntwo [EMAIL]\r\n")

    def test_tag_format_with_a_newline_still_maps(self):
        s = piiscrub.Scrubber(rules=BASIC, tag_format="<{entity}\n>")
        items = ["a jane.doe@mail.example.net b", "plain", "(555) 867-5309"]
        _, expected, _ = cli(["-r", BASIC, "--tag-format", "<{entity}\n>"], enc("\n".join(items) + "\n"))
        got = s.redact_lines(items)
        self.assertEqual(got, ["a <EMAIL\n> b", "plain", "<PHONE\n>"])
        self.assertEqual(enc("\n".join(got) + "\n"), expected)

    def test_big_batch_many_chunks_equals_cli(self):
        rng = random.Random(5)
        lines = [text_line(rng) for _ in range(60000)]  # several 1 MiB chunks at a 64 KiB block
        data = enc("\n".join(lines) + "\n")
        _, expected, _ = cli(["-j", "3"], data)
        got = piiscrub.Scrubber(threads=3, block_size=65536).redact_lines(lines)
        self.assertEqual(enc("\n".join(got) + "\n"), expected)

    def test_long_line_over_the_block(self):
        # A record longer than a block is scanned in windows; output still maps to its item.
        long = " ".join("w%d jane.doe@mail.example.net" % i for i in range(20000))
        items = ["short (212) 555-0143", long, "end"]
        _, expected, _ = cli(["-j", "2"], enc("\n".join(items) + "\n"))
        got = piiscrub.Scrubber(threads=2, block_size=4096).redact_lines(items)
        self.assertEqual(enc("\n".join(got) + "\n"), expected)
        self.assertEqual(len(got), 3)

    def test_findings_match_cli_report(self):
        report = self.path("report.jsonl")
        cli(["--report", report], stdin_path=SAMPLE)
        with open(report) as f:
            want = [json.loads(x) for x in f]
        with open(SAMPLE, encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().split("\n")
        s = piiscrub.Scrubber()
        got = []
        for i, line in enumerate(lines, 1):
            b = enc(line)
            fb = s.findings(b)
            for start, end, rule, entity in fb:
                got.append((i, start, end - start, rule, entity))
            # str offsets index the str: the same spans as the byte offsets
            self.assertEqual([enc(line[f.start:f.end]) for f in s.findings(line)], [b[f.start:f.end] for f in fb])
        self.assertEqual(got, [(w["record"], w["offset"], w["length"], w["rule"], w["entity"]) for w in want])
        self.assertGreater(len(got), 20)

    def test_findings_offsets_are_str_indexes(self):
        s = piiscrub.Scrubber(rules=BASIC)
        text = "é日本 jane.doe@mail.example.net\nzwei (555) 867-5309"
        f = s.findings(text)
        self.assertEqual([(text[x.start:x.end], x.rule, x.entity) for x in f],
                         [("jane.doe@mail.example.net", "email", "EMAIL"), ("(555) 867-5309", "us-phone", "PHONE")])
        self.assertEqual(s.findings("nothing here"), [])


class TestHash(TmpDir):
    def test_hash_tokens_equal_cli_with_the_same_key(self):
        key = self.path("key", b"first-secret-key-0123456789abcdef\n")
        with open(SAMPLE, "rb") as f:
            lines = f.read().decode("utf-8", "surrogateescape").split("\n")[:-1]
        _, expected, _ = cli(["-a", "hash", "--key-file", key], stdin_path=SAMPLE)
        s = piiscrub.Scrubber(action="hash", key_file=key)
        got = s.redact_lines(lines)
        self.assertEqual(enc("\n".join(got) + "\n"), expected)
        self.assertRegex(got[1], r"\[EMAIL:[0-9a-f]{8,64}\]")
        # key= bytes: the same key without its trailing newline, the same tokens.
        s2 = piiscrub.Scrubber(action="hash", key=b"first-secret-key-0123456789abcdef")
        self.assertEqual(s2.redact_lines(lines), got)
        other = piiscrub.Scrubber(action="hash", key=b"second-secret-key-0123456789abcde")
        self.assertNotEqual(other.redact_lines(lines), got)

    def test_hash_without_key_is_an_error(self):
        with self.assertRaises(piiscrub.HashKeyError) as cm:
            piiscrub.Scrubber(action="hash")
        self.assertIn("key_file", str(cm.exception))
        with self.assertRaises(piiscrub.HashKeyError) as cm:
            piiscrub.Scrubber(action="hash", key_file=self.path("empty", b"\n"))
        self.assertIn("is empty", str(cm.exception))
        with self.assertRaises(piiscrub.HashKeyError) as cm:
            piiscrub.Scrubber(action="hash", key_file=self.path("missing"))
        self.assertIn("No such file or directory", str(cm.exception))

    def test_key_file_from_environment_like_the_cli(self):
        key = self.path("key", b"first-secret-key-0123456789abcdef")
        line = "mail jane.doe@mail.example.net"
        os.environ["PIISCRUB_KEY_FILE"] = key
        try:
            got = piiscrub.Scrubber(action="hash").redact(line)
        finally:
            del os.environ["PIISCRUB_KEY_FILE"]
        _, expected, _ = cli(["-a", "hash", "--key-file", key], enc(line + "\n"))
        self.assertEqual(enc(got + "\n"), expected)


class TestErrors(TmpDir):
    def test_rule_error_carries_the_cli_message(self):
        bad = os.path.join(BAD, "typo.yaml")
        rc, _, err = cli(["-r", bad], b"", check=False)
        self.assertEqual(rc, 2)
        with self.assertRaises(piiscrub.RuleError) as cm:
            piiscrub.Scrubber(rules=bad)
        e = cm.exception
        self.assertEqual(err.strip(), "piiscrub: " + str(e))
        self.assertRegex(str(e), r"typo\.yaml:\d+:\d+: rule 'email': unknown key 'patern'")
        self.assertEqual((e.line, e.col, e.rule_id), (6, 5, "email"))
        self.assertEqual(e.status, piiscrub.PS_E_RULES)
        self.assertIsInstance(e, piiscrub.Error)

    def test_every_bad_rule_file_says_what_the_cli_says(self):
        for name in sorted(os.listdir(BAD)):
            path = os.path.join(BAD, name)
            rc, _, err = cli(["-r", path], b"x\n", check=False)
            if rc != 2 or "hash" in name:
                continue
            with self.assertRaises(piiscrub.Error, msg=name) as cm:
                piiscrub.Scrubber(rules=path)
            self.assertEqual(err.strip(), "piiscrub: " + str(cm.exception), name)

    def test_unknown_pack_and_missing_file(self):
        with self.assertRaises(piiscrub.RuleError) as cm:
            piiscrub.Scrubber(packs="core,nope")
        rc, _, err = cli(["--packs", "core,nope"], b"", check=False)
        self.assertEqual(err.strip(), "piiscrub: " + str(cm.exception))
        with self.assertRaises(piiscrub.RuleError):
            piiscrub.Scrubber(rules=self.path("nothing-here.yaml"))

    def test_bad_arguments(self):
        with self.assertRaises(piiscrub.UsageError):
            piiscrub.Scrubber(action="shred")
        with self.assertRaises(piiscrub.UsageError):
            piiscrub.Scrubber(tag_format="{nope")
        s = piiscrub.Scrubber(rules=BASIC)
        with self.assertRaises(piiscrub.UsageError):
            s.redact_jsonl(["{}"], on_invalid="maybe")
        with self.assertRaises(piiscrub.UsageError):
            s.redact_jsonl(["{}"], require="no-equals-sign")
        with self.assertRaises(piiscrub.InvalidRecordError):
            s.redact_jsonl(['{"a":1}', "not json"], on_invalid="abort")
        s.close()
        with self.assertRaises(piiscrub.UsageError):
            s.redact("x")

    def test_library_loads_from_piiscrub_library(self):
        lib = os.environ["PIISCRUB_LIBRARY"]
        code = "import piiscrub; print(piiscrub.library_path())"
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(piiscrub.__file__)))
        out = subprocess.run(["/usr/bin/python3", "-c", code], env=env, capture_output=True, text=True)
        self.assertEqual(out.stdout.strip(), lib, out.stderr)
        env["PIISCRUB_LIBRARY"] = self.path("no-such-lib.so")
        out = subprocess.run(["/usr/bin/python3", "-c", code], env=env, capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("PIISCRUB_LIBRARY", out.stderr)


class TestJsonl(TmpDir):
    def setUp(self):
        super().setUp()
        self.lines = jsonl_corpus(3000)
        self.data = enc("\n".join(self.lines) + "\n")

    def test_redact_jsonl_equals_cli(self):
        for j in (1, 3):
            _, expected, _ = cli(["-f", "jsonl", "-j", str(j)], self.data)
            got = piiscrub.Scrubber(threads=j, block_size=32768).redact_jsonl(self.lines)
            self.assertEqual(len(got), len(self.lines))
            self.assertEqual(enc("\n".join(got) + "\n"), expected)
        self.assertNotIn("4111 1111 1111 1111", "".join(got))

    def test_fields_and_gates_drop_the_right_records(self):
        s = piiscrub.Scrubber(threads=2)
        got = s.redact_jsonl(self.lines, fields=["text", "meta.author"], exclude={"meta.lang": ["de"]},
                             require={"meta.consent": "yes"})
        self.assertEqual(len(got), len(self.lines))
        for line, out in zip(self.lines, got):
            try:
                rec = json.loads(line)
            except ValueError:
                rec = None
            keep = (rec is not None and rec["meta"]["lang"] != "de" and rec["meta"].get("consent") == "yes")
            self.assertEqual(out is not None, keep, line)
            if keep:
                r = json.loads(out)
                self.assertEqual(r["tags"], rec["tags"])  # not a scanned field
                self.assertEqual(r["id"], rec["id"])
        if cli_supports("--require", "a=b"):
            _, expected, _ = cli(["-f", "jsonl", "--field", "text", "--field", "meta.author", "--exclude",
                                  "meta.lang=de", "--require", "meta.consent=yes"], self.data)
            self.assertEqual(enc("".join(x + "\n" for x in got if x is not None)), expected)

    def test_on_invalid_drop_and_drop_policies_equal_cli(self):
        s = piiscrub.Scrubber()
        got = s.redact_jsonl(self.lines, on_invalid="drop", drop_findings=3)
        for line, out in zip(self.lines, got):
            if not line.strip() or line.startswith("not json"):
                self.assertIsNone(out)
        self.assertTrue(any(x is None for x, l in zip(got, self.lines) if l.startswith("{")))
        if cli_supports("--on-invalid", "drop", "--drop-findings", "3"):
            _, expected, _ = cli(["-f", "jsonl", "--on-invalid", "drop", "--drop-findings", "3"], self.data)
            self.assertEqual(enc("".join(x + "\n" for x in got if x is not None)), expected)

    def test_exclude_ids(self):
        ids = self.path("optout.txt", b"doc-00001\ndoc-00002\r\n\n")
        got = piiscrub.Scrubber().redact_jsonl(self.lines[:10], exclude_ids=ids, id_field="id")
        for line, out in zip(self.lines[:10], got):
            dropped = '"doc-00001"' in line or '"doc-00002"' in line
            self.assertEqual(out is None, dropped)

    def test_unsatisfiable_requires_go_record_by_record(self):
        # Two values required of one field: no record can pass, and the marker cannot either.
        s = piiscrub.Scrubber()
        got = s.redact_jsonl(self.lines[:50], require=["meta.consent=yes", "meta.consent=no"])
        self.assertEqual(got, [None] * 50)

    def test_items_with_newlines_and_bytes(self):
        s = piiscrub.Scrubber(rules=BASIC)
        items = [b'{"a":"jane.doe@mail.example.net","c":"yes"}\n', b'{"c":"no"}\n{"a":"(555) 867-5309","c":"yes"}',
                 b'{"a":"x"}']
        self.assertEqual(s.redact_jsonl(items, require="c=yes"),
                         [b'{"a":"[EMAIL]","c":"yes"}\n', b'{"a":"[PHONE]","c":"yes"}', None])
        self.assertEqual(s.redact_jsonl(items), [b'{"a":"[EMAIL]","c":"yes"}\n',
                                                 b'{"c":"no"}\n{"a":"[PHONE]","c":"yes"}', b'{"a":"x"}'])

    def test_scrub_file_equals_cli(self):
        src = self.path("in.jsonl", self.data)
        dst = self.path("out.jsonl")
        key = self.path("key", b"k" * 32)
        _, expected, _ = cli(["-f", "jsonl", "-a", "hash", "--key-file", key], self.data)
        st = piiscrub.scrub_file(src, dst, format="jsonl", threads=2, action="hash", key_file=key)
        with open(dst, "rb") as f:
            self.assertEqual(f.read(), expected)
        self.assertEqual(st["records"], len(self.lines))
        self.assertEqual(st["bytes_in"], len(self.data))
        self.assertGreater(st["findings"], 100)
        self.assertGreater(st["per_rule"]["email"], 0)
        st = piiscrub.scrub_file(src, dst, format="jsonl", on_invalid="drop")
        self.assertGreater(st["dropped"]["invalid"], 0)
        with self.assertRaises(piiscrub.UsageError):
            piiscrub.scrub_file(src, src)
        with self.assertRaises(piiscrub.ScrubIOError):
            piiscrub.scrub_file(self.path("missing"), dst)


class TestThreads(unittest.TestCase):
    def test_four_python_threads_at_once(self):
        rng = random.Random(11)
        batches = [[text_line(rng) for _ in range(20000 + 5000 * i)] for i in range(4)]
        expected = [cli(["-j", "2"], enc("\n".join(b) + "\n"))[1] for b in batches]
        s = piiscrub.Scrubber(threads=2, block_size=1 << 16)
        results = [None] * 4
        errors = []

        def work(i):
            try:
                for _ in range(3):
                    results[i] = enc("\n".join(s.redact_lines(batches[i])) + "\n")
                    if results[i] != expected[i]:
                        break
            except BaseException as e:
                errors.append(e)

        ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        for i in range(4):
            self.assertEqual(results[i], expected[i], "thread %d" % i)

    def test_the_gil_is_released_during_a_batch(self):
        # One thread scans (C, one worker thread); this thread keeps counting meanwhile. With the GIL held for the
        # whole C call, the longest pause between two counts would be the whole call. A busy machine can stall
        # this thread too, so it gets three tries; a binding that holds the GIL fails all three.
        line = " ".join("word%d" % i for i in range(200)) + " jane.doe@mail.example.net"
        lines = [line] * 8000
        s = piiscrub.Scrubber(threads=1)
        tries = []
        for _ in range(3):
            t0 = time.perf_counter()
            s.redact_lines(lines)
            alone = time.perf_counter() - t0
            done = threading.Event()

            def work():
                s.redact_lines(lines)
                done.set()

            t = threading.Thread(target=work)
            longest = 0.0
            last = time.perf_counter()
            t.start()
            while not done.is_set():
                now = time.perf_counter()
                longest = max(longest, now - last)
                last = now
            t.join()
            self.assertGreater(alone, 0.05, "the batch is too small to tell")
            tries.append((longest, alone))
            if longest < 0.5 * alone:
                return
        self.fail("the GIL was held: longest pause / call, per try: %s" % tries)


class TestMisc(TmpDir):
    def test_pickle_rebuilds_the_same_scrubber(self):
        key = self.path("key", b"first-secret-key-0123456789abcdef")
        s = piiscrub.Scrubber(action="hash", key_file=key, packs="core")
        t = pickle.loads(pickle.dumps(s))
        line = "jane.doe@mail.example.net 4111 1111 1111 1111"
        self.assertEqual(t.redact(line), s.redact(line))
        self.assertIn("4111", s.redact(line))  # core only: no card rule

    def test_only_ps_symbols_exported(self):
        nm = shutil.which("nm")
        if not nm:
            self.skipTest("no nm")
        out = subprocess.run([nm, "-D", "--defined-only", piiscrub.library_path()], capture_output=True, text=True,
                             check=True).stdout.split("\n")
        syms = [x.split()[-1] for x in out if x.strip()]
        self.assertGreater(len(syms), 20)
        self.assertEqual([x for x in syms if not x.startswith("ps_")], [])
        for name in piiscrub._PROTOTYPES:
            self.assertIn(name, syms)

    def test_struct_layouts_match_the_header(self):
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            self.skipTest("no C compiler")
        include = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(piiscrub.__file__))), "include")
        checks = []
        for cname, cls in (("ps_diag", piiscrub._Diag), ("ps_engine_options", piiscrub._EngineOptions),
                           ("ps_finding", piiscrub._Finding), ("ps_stats", piiscrub._Stats),
                           ("ps_run_options", piiscrub._RunOptions)):
            checks.append('printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
            for fname, _ in cls._fields_:
                if fname == "_reserved":
                    continue
                checks.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));' % (cname, fname, cname, fname))
        src = self.path("abi.c", ("#include <stddef.h>\n#include <stdio.h>\n#include \"piiscrub.h\"\nint main(void)"
                                  "{%s return 0;}\n" % "".join(checks)).encode())
        exe = self.path("abi")
        subprocess.run([cc, "-I", include, src, "-o", exe], check=True)
        got = dict(x.split() for x in subprocess.run([exe], capture_output=True, text=True).stdout.splitlines())
        for cname, cls in (("ps_diag", piiscrub._Diag), ("ps_engine_options", piiscrub._EngineOptions),
                           ("ps_finding", piiscrub._Finding), ("ps_stats", piiscrub._Stats),
                           ("ps_run_options", piiscrub._RunOptions)):
            fields = [f for f, _ in cls._fields_ if f != "_reserved"]
            bare = type("Bare", (ctypes.Structure,), {"_fields_": [f for f in cls._fields_ if f[0] != "_reserved"]})
            known = ctypes.sizeof(bare)
            self.assertEqual(int(got[cname]), known, cname + ": the header has fields this binding does not know")
            for fname in fields:
                self.assertEqual(int(got["%s.%s" % (cname, fname)]), getattr(cls, fname).offset, cname + "." + fname)


if __name__ == "__main__":
    unittest.main()
