"""piiscrub — streaming PII redaction for Python pipelines, over the C library (libpiiscrub.so).

    import piiscrub
    s = piiscrub.Scrubber(action="hash", key_file="key")
    s.redact("mail jane.doe@mail.example.net")        # what `piiscrub` prints for that line
    s.redact_lines(lines)                              # a batch, one C call, all cores, GIL released
    s.redact_jsonl(lines, fields=["text"])             # None where a record is dropped
    s.findings("text")                                 # [(start, end, rule, entity)], never the values
    piiscrub.scrub_file("in.jsonl", "out.jsonl", format="jsonl", threads=0)

Same inputs and options give the same bytes as the CLI, byte for byte, on any machine.

Why ctypes and not cffi: ctypes is in the standard library, so there is no build step and no compiler at import time;
the package is a directory of Python that works with Debian's python3, any venv or any interpreter that can dlopen
the library. The API is a few dozen plain C functions and structs, which is what ctypes handles well.

GIL: functions of a ctypes.CDLL (not PyDLL) run with the GIL released, so the batch calls (ps_run) let other Python
threads run. The pipeline's writer hands output back through a Python callback, which takes the GIL once per ~1 MiB
chunk — a few microseconds per megabyte.

Text: str is encoded as UTF-8 with 'surrogateescape' and decoded the same way, so any bytes survive the round trip;
bytes in give bytes out.
"""

import collections
import ctypes
import ctypes.util
import os
import secrets
import threading

__all__ = [
    "Scrubber", "scrub_file", "version", "Finding",
    "Error", "RuleError", "UsageError", "HashKeyError", "ScrubIOError", "UnscannedError", "InvalidRecordError",
    "StoppedError",
]

# ---------------------------------------------------------------------------------------------- status and errors

PS_OK = 0
PS_E_NOMEM = -1
PS_E_RULES = -2
PS_E_IO = -3
PS_E_UNSCANNED = -4
PS_E_USAGE = -5
PS_E_KEY = -6
PS_E_STOPPED = -7
PS_E_INVALID = -8


class Error(Exception):
    """A piiscrub error. str(e) is the message the CLI prints after 'piiscrub: '; .status is the PS_E_* code, and
    .file/.line/.col/.rule_id say where when the C side knows (a rule file error)."""

    def __init__(self, message, status=None, file="", line=0, col=0, rule_id=""):
        super().__init__(message)
        self.status = status
        self.file = file
        self.line = line
        self.col = col
        self.rule_id = rule_id


class RuleError(Error):
    """A rule file or pattern is wrong (file:line:col: rule 'id': ...)."""


class UsageError(Error, ValueError):
    """An invalid argument or option combination."""


class HashKeyError(Error):
    """The hash action needs a key: none, an empty one, or the key file cannot be read."""


class ScrubIOError(Error, OSError):
    """Reading input or writing output failed."""


class UnscannedError(Error):
    """A record could not be scanned and on_error='abort' (fail closed)."""


class InvalidRecordError(Error, ValueError):
    """jsonl: a line is not valid JSON and on_invalid='abort'."""


class StoppedError(Error):
    """The output asked the run to stop."""


_ERRORS = {PS_E_RULES: RuleError, PS_E_USAGE: UsageError, PS_E_KEY: HashKeyError, PS_E_IO: ScrubIOError,
           PS_E_UNSCANNED: UnscannedError, PS_E_INVALID: InvalidRecordError, PS_E_STOPPED: StoppedError}

KEY_MESSAGE = ("the hash action needs a secret key: give one with key_file=FILE (or key=bytes, or "
               "PIISCRUB_KEY_FILE=FILE); make one with: head -c 32 /dev/urandom > key && chmod 600 key")

# ---------------------------------------------------------------------------------------------- the C API

_c_int, _c_uint, _c_size, _c_u64, _c_u32 = ctypes.c_int, ctypes.c_uint, ctypes.c_size_t, ctypes.c_uint64, ctypes.c_uint32
_c_char_p, _c_void_p = ctypes.c_char_p, ctypes.c_void_p

FORMATS = {"text": 0, "nul": 1, "jsonl": 2}
ON_ERROR = {"unscanned": 0, "abort": 1}
ON_INVALID = {"text": 0, "drop": 1, "abort": 2}
DROP_REASONS = ("invalid", "findings", "density", "exclude", "require", "ids")


# The structs the caller allocates end with zeroed slack: should the header grow a field at the end before this file
# learns of it, the library writes into the slack (ps_stats) or reads zero, the documented default (ps_run_options),
# instead of memory that is not ours. tests/test_binding.py checks every offset against the header.
_SLACK = 256


class _Diag(ctypes.Structure):
    _fields_ = [("file", ctypes.c_char * 512), ("line", _c_uint), ("col", _c_uint),
                ("rule_id", ctypes.c_char * 128), ("msg", ctypes.c_char * 1024)]


class _EngineOptions(ctypes.Structure):
    _fields_ = [("action", _c_int), ("key", ctypes.POINTER(ctypes.c_ubyte)), ("key_len", _c_size),
                ("tag_format", _c_char_p), ("match_limit", _c_u32), ("depth_limit", _c_u32)]


class _Finding(ctypes.Structure):
    _fields_ = [("record", _c_u64), ("offset", _c_u64), ("length", _c_u64), ("rule", _c_size), ("field", _c_char_p)]


class _Stats(ctypes.Structure):
    _fields_ = [("bytes_in", _c_u64), ("bytes_out", _c_u64), ("records", _c_u64), ("records_changed", _c_u64),
                ("findings", _c_u64), ("unscanned", _c_u64), ("invalid", _c_u64),
                ("dropped", _c_u64 * len(DROP_REASONS)), ("missing_field", _c_u64),
                ("per_rule", ctypes.POINTER(_c_u64)), ("rule_ns", ctypes.POINTER(_c_u64)),
                ("rule_runs", ctypes.POINTER(_c_u64)), ("n_rules", _c_size), ("rule_calls", ctypes.POINTER(_c_u64)),
                ("_reserved", ctypes.c_ubyte * _SLACK)]


_WRITE_FN = ctypes.CFUNCTYPE(_c_int, _c_void_p, _c_void_p, _c_size)
_FINDING_FN = ctypes.CFUNCTYPE(_c_int, _c_void_p, ctypes.POINTER(_Finding))
_PROGRESS_FN = ctypes.CFUNCTYPE(_c_int, _c_void_p, ctypes.POINTER(_Stats))


class _RunOptions(ctypes.Structure):
    _fields_ = [("format", _c_int), ("threads", _c_uint), ("block_size", _c_size), ("on_error", _c_int),
                ("on_invalid", _c_int), ("fields", ctypes.POINTER(_c_char_p)), ("n_fields", _c_size),
                ("filter", _c_void_p), ("check_only", _c_int), ("write", _WRITE_FN), ("write_ctx", _c_void_p),
                ("on_finding", _FINDING_FN), ("finding_ctx", _c_void_p), ("on_progress", _PROGRESS_FN),
                ("progress_ctx", _c_void_p), ("profile", _c_int), ("_reserved", ctypes.c_ubyte * _SLACK)]


_PROTOTYPES = {
    "ps_version": (_c_char_p, []),
    "ps_strerror": (_c_char_p, [_c_int]),
    "ps_diag_format": (_c_int, [ctypes.POINTER(_Diag), ctypes.c_char_p, _c_size]),
    "ps_action_parse": (_c_int, [_c_char_p, ctypes.POINTER(_c_int)]),
    "ps_ruleset_new": (_c_int, [ctypes.POINTER(_c_void_p)]),
    "ps_ruleset_free": (None, [_c_void_p]),
    "ps_ruleset_load_path": (_c_int, [_c_void_p, _c_char_p, ctypes.POINTER(_Diag)]),
    "ps_ruleset_load_buffer": (_c_int, [_c_void_p, _c_char_p, _c_char_p, _c_size, ctypes.POINTER(_Diag)]),
    "ps_ruleset_load_builtin": (_c_int, [_c_void_p, ctypes.POINTER(_Diag)]),
    "ps_ruleset_keep_packs": (_c_int, [_c_void_p, _c_char_p, ctypes.POINTER(_Diag)]),
    "ps_ruleset_count": (_c_size, [_c_void_p]),
    "ps_engine_compile": (_c_int, [_c_void_p, ctypes.POINTER(_EngineOptions), ctypes.POINTER(_c_void_p),
                                   ctypes.POINTER(_Diag)]),
    "ps_engine_free": (None, [_c_void_p]),
    "ps_engine_rule_count": (_c_size, [_c_void_p]),
    "ps_engine_rule_id": (_c_char_p, [_c_void_p, _c_size]),
    "ps_engine_rule_entity": (_c_char_p, [_c_void_p, _c_size]),
    "ps_filter_new": (_c_int, [ctypes.POINTER(_c_void_p)]),
    "ps_filter_free": (None, [_c_void_p]),
    "ps_filter_exclude": (_c_int, [_c_void_p, _c_char_p, _c_char_p, ctypes.POINTER(_Diag)]),
    "ps_filter_require": (_c_int, [_c_void_p, _c_char_p, _c_char_p, ctypes.POINTER(_Diag)]),
    "ps_filter_exclude_ids": (_c_int, [_c_void_p, _c_char_p, _c_char_p, ctypes.POINTER(_Diag)]),
    "ps_filter_drop_findings": (None, [_c_void_p, _c_u64]),
    "ps_filter_drop_density": (None, [_c_void_p, ctypes.c_double]),
    "ps_stats_init": (_c_int, [ctypes.POINTER(_Stats), _c_void_p]),
    "ps_stats_free": (None, [ctypes.POINTER(_Stats)]),
    "ps_run": (_c_int, [_c_void_p, ctypes.POINTER(_RunOptions), _c_int, ctypes.POINTER(_Stats)]),
    "ps_scrub": (_c_int, [_c_void_p, _c_char_p, _c_size, ctypes.POINTER(_c_void_p), ctypes.POINTER(_c_size)]),
}

_lib = None
_libc = None
_lib_lock = threading.Lock()
LIBRARY_NAMES = ("libpiiscrub.so.0", "libpiiscrub.so")


def _candidates():
    env = os.environ.get("PIISCRUB_LIBRARY")
    if env:
        return [env]  # asked for explicitly: no silent fallback to another copy
    here = os.path.dirname(os.path.abspath(__file__))
    paths = [os.path.join(d, n) for d in (here, os.path.dirname(here)) for n in LIBRARY_NAMES]
    found = ctypes.util.find_library("piiscrub")
    return [p for p in paths if os.path.exists(p)] + ([found] if found else []) + list(LIBRARY_NAMES)


def _load():
    """Loads libpiiscrub once: $PIISCRUB_LIBRARY, else beside the package, else the system loader's path."""
    global _lib, _libc
    if _lib is not None:
        return _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        errors = []
        lib = None
        for path in _candidates():
            try:
                lib = ctypes.CDLL(path, use_errno=True)  # CDLL: the GIL is released during every call
                break
            except OSError as e:
                errors.append(str(e))
        if lib is None:
            raise ImportError("cannot load libpiiscrub (set PIISCRUB_LIBRARY to the path of libpiiscrub.so): "
                              + "; ".join(errors))
        for name, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        libc = ctypes.CDLL(None)
        libc.free.restype = None
        libc.free.argtypes = [_c_void_p]
        _libc = libc
        _lib = lib
        return lib


def version():
    """The C library's version, "MAJOR.MINOR.PATCH"."""
    return _load().ps_version().decode()


def library_path():
    """The file the C library was loaded from."""
    lib = _load()
    return lib._name


# ---------------------------------------------------------------------------------------------- helpers

def _enc(s):
    if isinstance(s, str):
        return s.encode("utf-8", "surrogateescape")
    if isinstance(s, (bytes, bytearray, memoryview)):
        return bytes(s)
    return os.fsencode(s)  # PathLike


def _dec(b):
    return b.decode("utf-8", "surrogateescape")


def _diag_error(status, diag, cls=None):
    if status == PS_E_NOMEM:
        return MemoryError("piiscrub: out of memory")
    lib = _load()
    if diag is not None and diag.msg:
        buf = ctypes.create_string_buffer(2048)
        lib.ps_diag_format(ctypes.byref(diag), buf, len(buf))
        msg = _dec(buf.value)
        where = dict(file=_dec(diag.file), line=diag.line, col=diag.col, rule_id=_dec(diag.rule_id))
    else:
        msg = _dec(lib.ps_strerror(status))
        where = {}
    return (cls or _ERRORS.get(status, Error))(msg, status, **where)


def _read_key(path, via=""):
    """The CLI's key file rules: raw bytes, one trailing "\\n" or "\\r\\n" dropped, empty refused."""
    try:
        with open(path, "rb") as f:
            key = f.read(64 * 1024 + 1)
    except OSError as e:
        raise HashKeyError("cannot read key file '%s'%s: %s" % (path, via, e.strerror), PS_E_KEY) from None
    if len(key) > 64 * 1024:
        raise HashKeyError("key file '%s'%s is larger than %u bytes; is it the right file?" % (path, via, 64 * 1024),
                           PS_E_KEY)
    if key.endswith(b"\n"):
        key = key[:-1]
        if key.endswith(b"\r"):
            key = key[:-1]
    if not key:
        raise HashKeyError("key file '%s'%s is empty; make a key with: head -c 32 /dev/urandom > '%s' && chmod 600 "
                           "'%s'" % (path, via, path, path), PS_E_KEY)
    return key


def _csv(v):
    if v is None or isinstance(v, str):
        return v
    return ",".join(v)


def _gates(spec, many):
    """exclude/require as {field: value(s)}, "F=V[,V...]" or a list of such strings -> [(field, values_csv)]."""
    if not spec:
        return []
    if isinstance(spec, dict):
        return [(f, _csv(v) if many else str(v)) for f, v in spec.items()]
    if isinstance(spec, str):
        spec = [spec]
    out = []
    for s in spec:
        if "=" not in s or s.startswith("="):
            raise UsageError("invalid value '%s' for %s: expected FIELD=VALUE%s" % (
                s, "exclude" if many else "require", "[,VALUE...]" if many else ""), PS_E_USAGE)
        f, v = s.split("=", 1)
        out.append((f, v))
    return out


class _Filter:
    """Owns a ps_filter built from the training-data options (None when no option is set)."""

    def __init__(self, exclude=None, require=None, exclude_ids=None, id_field=None, drop_findings=0,
                 drop_density=0.0):
        self.ptr = None
        self.excludes = _gates(exclude, True)
        self.requires = _gates(require, False)
        if (exclude_ids is None) != (id_field is None):
            raise UsageError("exclude_ids=FILE and id_field=PATH go together: which field holds the id?", PS_E_USAGE)
        if not (self.excludes or self.requires or exclude_ids or drop_findings or drop_density):
            return
        lib = _load()
        p = _c_void_p()
        if lib.ps_filter_new(ctypes.byref(p)) != PS_OK:
            raise MemoryError("piiscrub: out of memory")
        self.ptr = p
        d = _Diag()
        for field, values in self.excludes:
            self._check(lib.ps_filter_exclude(p, _enc(field), _enc(values), ctypes.byref(d)), d)
        for field, value in self.requires:
            self._check(lib.ps_filter_require(p, _enc(field), _enc(value), ctypes.byref(d)), d)
        if exclude_ids is not None:
            self._check(lib.ps_filter_exclude_ids(p, _enc(exclude_ids), _enc(id_field), ctypes.byref(d)), d)
        if drop_findings:
            lib.ps_filter_drop_findings(p, int(drop_findings))
        if drop_density:
            lib.ps_filter_drop_density(p, float(drop_density))

    def _check(self, rc, d):
        if rc != PS_OK:
            self.close()
            raise _diag_error(rc, d)

    @property
    def gated(self):
        return self.ptr is not None

    def close(self):
        if self.ptr is not None:
            _load().ps_filter_free(self.ptr)
            self.ptr = None


def _memfd(parts):
    """An fd holding the concatenation of `parts` (bytes-like), positioned at 0: the input side of ps_run for
    in-memory batches."""
    try:
        fd = os.memfd_create("piiscrub-batch", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile
        f = tempfile.TemporaryFile()
        fd = os.dup(f.fileno())
        f.close()
    try:
        for part in parts:
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


Finding = collections.namedtuple("Finding", "start end rule entity")
Finding.__doc__ = "One redaction: text[start:end] was replaced, by rule `rule` (its entity). Never the value."

_RUN_KEYS = ("fields", "exclude", "require", "exclude_ids", "id_field", "drop_findings", "drop_density",
             "on_invalid", "on_error", "block_size")


# ---------------------------------------------------------------------------------------------- Scrubber

class Scrubber:
    """A compiled rule set and action: load and compile once, then redact any number of texts, from any number of
    threads at once (the C engine is immutable and shared).

    rules:      None (the packs built into the library), a rule file or directory, or a list of them.
    packs:      "a,b" or ["a", "b"]: keep only these packs.
    action:     "tag" | "mask" | "partial" | "hash" | "remove".
    key_file:   the hash key (raw bytes, one trailing newline dropped); default $PIISCRUB_KEY_FILE like the CLI.
    tag_format: placeholder for tag, default "[{entity}]".
    Keyword-only: key (bytes, instead of key_file), threads (batch calls; 0 = all cores, like the CLI's -j),
    on_error ("unscanned" | "abort"), block_size (bytes per chunk, 0 = 1 MiB).
    """

    def __init__(self, rules=None, packs=None, action="tag", key_file=None, tag_format=None, *, key=None, threads=0,
                 on_error="unscanned", block_size=0):
        self._engine = None
        self._args = dict(rules=rules, packs=packs, action=action, key_file=key_file, tag_format=tag_format,
                          key=key, threads=threads, on_error=on_error, block_size=block_size)
        lib = _load()
        if on_error not in ON_ERROR:
            raise UsageError("invalid value '%s' for on_error: expected unscanned or abort" % on_error, PS_E_USAGE)
        self.threads = int(threads)
        self.on_error = on_error
        self.block_size = int(block_size)
        act = _c_int(0)
        if action is not None and lib.ps_action_parse(_enc(action), ctypes.byref(act)) != PS_OK:
            raise UsageError("invalid value '%s' for action: expected tag, mask, partial, hash or remove" % action,
                             PS_E_USAGE)
        self.action = action

        rs = _c_void_p()
        if lib.ps_ruleset_new(ctypes.byref(rs)) != PS_OK:
            raise MemoryError("piiscrub: out of memory")
        try:
            d = _Diag()
            if rules is None:
                rc = lib.ps_ruleset_load_builtin(rs, ctypes.byref(d))
            else:
                paths = [rules] if isinstance(rules, (str, bytes, os.PathLike)) else list(rules)
                rc = PS_OK
                for p in paths:
                    rc = lib.ps_ruleset_load_path(rs, _enc(p), ctypes.byref(d))
                    if rc != PS_OK:
                        break
            if rc == PS_OK and packs:
                rc = lib.ps_ruleset_keep_packs(rs, _enc(_csv(packs)), ctypes.byref(d))
            if rc != PS_OK:
                raise _diag_error(rc, d, RuleError if rc == PS_E_USAGE else None)
            if lib.ps_ruleset_count(rs) == 0:
                raise UsageError("no rules loaded, so nothing would be redacted; check rules= and packs=", PS_E_USAGE)

            if key is None and key_file is None:
                env = os.environ.get("PIISCRUB_KEY_FILE")
                if env:
                    key = _read_key(env, " (from PIISCRUB_KEY_FILE)")
            elif key is None:
                key = _read_key(os.fspath(key_file))
            elif not key:
                raise HashKeyError("the key is empty; make one with: head -c 32 /dev/urandom > key", PS_E_KEY)
            eo = _EngineOptions()
            eo.action = act.value
            keybuf = None
            if key is not None:
                key = _enc(key)
                keybuf = (ctypes.c_ubyte * len(key)).from_buffer_copy(key)
                eo.key = keybuf
                eo.key_len = len(key)
            eo.tag_format = _enc(tag_format) if tag_format is not None else None
            eng = _c_void_p()
            rc = lib.ps_engine_compile(rs, ctypes.byref(eo), ctypes.byref(eng), ctypes.byref(d))
            if keybuf is not None:
                ctypes.memset(keybuf, 0, len(key))  # the engine keeps its own copy
            if rc == PS_E_KEY:
                raise HashKeyError(KEY_MESSAGE, rc)
            if rc == PS_E_USAGE and not d.msg:
                raise UsageError("invalid tag_format '%s'" % (tag_format or ""), rc)
            if rc != PS_OK:
                raise _diag_error(rc, d)
        finally:
            lib.ps_ruleset_free(rs)
        self._engine = eng
        self._lib = lib
        n = lib.ps_engine_rule_count(eng)
        self._rule_ids = [_dec(lib.ps_engine_rule_id(eng, i)) for i in range(n)]
        self._entities = [_dec(lib.ps_engine_rule_entity(eng, i)) for i in range(n)]

    # -- lifetime and pickling (Dask, multiprocessing: a worker rebuilds the engine from the same arguments)

    def close(self):
        """Frees the engine now (also done when the object is collected)."""
        if self._engine is not None:
            self._lib.ps_engine_free(self._engine)
            self._engine = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __reduce__(self):
        # Pickles the constructor arguments: a key_file travels as its path (the file must exist where it is
        # unpickled); a key given as key= bytes travels in the pickle itself.
        args = self._args
        return (_rebuild, (args,))

    @property
    def rule_ids(self):
        """The ids of the compiled rules, in engine order."""
        return list(self._rule_ids)

    def _eng(self):
        if self._engine is None:
            raise UsageError("this Scrubber is closed", PS_E_USAGE)
        return self._engine

    # -- one record

    def redact(self, text):
        """Redacts one line: exactly what the CLI prints for it (without the newline). str in, str out; bytes in,
        bytes out. A text with newlines (a whole document, a whole file) is redacted line by line, as the CLI would:
        past a megabyte, on the Scrubber's threads."""
        is_bytes = not isinstance(text, str)
        data = _enc(text)
        if b"\n" in data or data.endswith(b"\r"):
            # Text framing (CRLF kept out of matches, one record per line): the pipeline.
            threads = 1 if len(data) < (1 << 20) else None
            out = bytes(self._run(data, FORMATS["text"], threads=threads)[0])
        else:
            eng = self._eng()
            p = _c_void_p()
            n = _c_size()
            rc = self._lib.ps_scrub(eng, data, len(data), ctypes.byref(p), ctypes.byref(n))
            if rc not in (PS_OK, PS_E_UNSCANNED):
                raise _diag_error(rc, None)
            try:
                out = ctypes.string_at(p.value, n.value)
            finally:
                _libc.free(p)
            if rc == PS_E_UNSCANNED and self.on_error == "abort":
                raise UnscannedError("record could not be scanned; stopping because of on_error='abort'", rc)
        return out if is_bytes else _dec(out)

    def findings(self, text):
        """[(start, end, rule, entity)] of what redact(text) replaces, in order. Offsets index `text` (characters
        of a str, bytes of bytes). Never the matched values."""
        is_bytes = not isinstance(text, str)
        data = _enc(text)
        raw = []
        self._run(data, FORMATS["text"], threads=1, findings=raw)
        starts = None
        if raw and any(r > 1 for r, _, _, _ in raw):
            starts = [0]
            pos = data.find(b"\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = data.find(b"\n", pos + 1)
        ascii_only = is_bytes or len(data) == len(text)
        out = []
        for record, off, length, rule in raw:
            start = off + (starts[record - 1] if starts else 0)
            end = start + length
            if not ascii_only:
                start, end = len(_dec(data[:start])), len(_dec(data[:end]))
            out.append(Finding(start, end, self._rule_ids[rule], self._entities[rule]))
        return out

    # -- batches: one C call each, GIL released

    def redact_lines(self, lines):
        """Redacts a batch of lines (text format), one ps_run over all of them: the same bytes as the CLI over
        those lines. A line may end with "\\n" (kept); a line holding more newlines is redacted line by line and
        returned as one element. Returns a list of the same length (str or bytes, as given)."""
        lines = list(lines)
        if not lines:
            return []
        batch = _Batch(lines)
        sink = _LineSink(batch.is_bytes)
        self._run(batch.payload(), FORMATS["text"], sink=sink)
        res = batch.split(sink.finish())
        if res is None:  # a tag_format with a newline: the output has more lines than the input
            res = [self._one(x, FORMATS["text"], _RunArgs()) for x in batch.items]
            res = [batch.finish(i, r if r is not None else batch.empty) for i, r in enumerate(res)]
        return res

    def redact_jsonl(self, lines, fields=None, exclude=None, require=None, **options):
        """Redacts a batch of JSON lines (jsonl format), like `piiscrub -f jsonl [--field F] [--exclude F=V]
        [--require F=V]`. Returns a list of the same length: the redacted line, or None where the record was
        dropped (a gate, a drop policy, or on_invalid="drop"). Other options: exclude_ids=FILE with id_field=PATH,
        drop_findings=N, drop_density=X, on_invalid="text"|"drop"|"abort"."""
        lines = list(lines)
        if not lines:
            return []
        ra = _RunArgs(fields=fields, exclude=exclude, require=require, **options)
        try:
            batch = _Batch(lines)
            droppable = ra.filter.gated or ra.on_invalid == "drop"
            if not droppable:
                # Nothing can be dropped, so output lines map to input lines one to one.
                sink = _LineSink(batch.is_bytes)
                self._run(batch.payload(), FORMATS["jsonl"], ra, sink=sink)
                res = batch.split(sink.finish())
                if res is not None:
                    return res
            res = self._jsonl_marked(batch, ra)
            if res is None:
                res = [self._one(x, FORMATS["jsonl"], ra) for x in batch.items]
                res = [None if r is None else batch.finish(i, r) for i, r in enumerate(res)]
            return res
        finally:
            ra.close()

    def _jsonl_marked(self, batch, ra):
        """Drops are found with a marker record after every input record: a JSON line that no gate or policy can
        drop, whose key (never scanned or rewritten) carries a random nonce. What lies between two markers is one
        input's output; nothing means it was dropped. @return the results, or None when the markers did not come
        through intact (e.g. two require gates that no record can satisfy), and the caller goes record by record."""
        marker = _marker(ra.filter.requires, batch)
        if marker is None:
            return None
        nl = batch.nl
        prefix = marker[:marker.index(b":") + 1]
        if not batch.is_bytes:
            marker, prefix = _dec(marker), _dec(prefix)
        sep = nl + marker + nl
        payload = sep.join(batch.items) + sep
        if not batch.is_bytes:
            payload = _enc(payload)
        sink = _LineSink(batch.is_bytes)
        self._run(payload, FORMATS["jsonl"], ra, sink=sink)
        lines = sink.finish()
        if lines is None:
            return None
        res = []
        group = []
        for line in lines:
            if line.startswith(prefix):
                res.append(batch.finish(len(res), nl.join(group)) if group else None)
                group = []
                if len(res) > len(batch.items):
                    return None
            else:
                group.append(line)
        if group or len(res) != len(batch.items):
            return None
        return res

    def _one(self, item, fmt, ra):
        """One input item through the pipeline alone. @return its output without the final newline, or None when
        nothing came out (dropped)."""
        data = _enc(item) + b"\n"
        out = bytes(self._run(data, fmt, ra, threads=1)[0])
        if not out:
            return None
        out = out[:-1] if out.endswith(b"\n") else out
        return out if isinstance(item, (bytes, bytearray)) else _dec(out)

    def scrub_file(self, src, dst, format="text", threads=None, **options):
        """Redacts the file src into dst (paths, or objects with fileno()) with the threaded C pipeline.
        @return the run's stats as a dict."""
        if format not in FORMATS:
            raise UsageError("invalid value '%s' for format: expected text, jsonl or nul" % format, PS_E_USAGE)
        ra = _RunArgs(**options)
        close = []
        try:
            in_fd = _open_fd(src, os.O_RDONLY, close)
            out_fd = _open_fd(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, close)
            try:
                if os.path.samestat(os.fstat(in_fd), os.fstat(out_fd)):
                    raise UsageError("the output file is also the input: write elsewhere, then rename", PS_E_USAGE)
            except OSError:
                pass
            return self._run(in_fd, FORMATS[format], ra, threads=threads, out_fd=out_fd, name=_name(src))[1]
        finally:
            ra.close()
            for fd in close:
                os.close(fd)

    # -- the one place that calls ps_run

    def _run(self, data, fmt, ra=None, threads=None, findings=None, out_fd=None, sink=None, name="input"):
        """Runs ps_run over `data` (bytes or a list of bytes, via a memfd; or an fd to read). The output goes to
        out_fd, or to sink(bytes) chunk by chunk, or into a bytearray.
        @return (the bytearray or None, stats dict)."""
        eng = self._eng()
        lib = self._lib
        ra = ra or _RunArgs()
        out = bytearray() if out_fd is None and sink is None else None
        failure = []

        def write_cb(_ctx, buf, n):
            # Runs on the pipeline's writer thread with the GIL held, once per chunk (~1 MiB); the workers go on
            # scanning meanwhile.
            try:
                if not n:
                    return 0
                if sink is not None:
                    sink(ctypes.string_at(buf, n))
                    return 0
                view = memoryview((ctypes.c_char * n).from_address(buf)).cast("B")
                if out_fd is None:
                    out.extend(view)
                else:
                    while view:
                        view = view[os.write(out_fd, view):]
                return 0
            except BaseException as e:  # noqa: B902 - handed back to the caller below
                failure.append(e)
                return 1

        def finding_cb(_ctx, fp):
            f = fp.contents
            findings.append((f.record, f.offset, f.length, f.rule))
            return 0

        ro = _RunOptions()
        ro.format = fmt
        ro.threads = self.threads if threads is None else int(threads)
        ro.block_size = ra.block_size if ra.block_size is not None else self.block_size
        ro.on_error = ON_ERROR[ra.on_error or self.on_error]
        ro.on_invalid = ON_INVALID[ra.on_invalid or "text"]
        if ra.fields_arr is not None:
            ro.fields = ra.fields_arr
            ro.n_fields = len(ra.fields_arr)
        ro.filter = ra.filter.ptr
        wcb = _WRITE_FN(write_cb)
        ro.write = wcb
        fcb = None
        if findings is not None:
            fcb = _FINDING_FN(finding_cb)
            ro.on_finding = fcb
        st = _Stats()
        if lib.ps_stats_init(ctypes.byref(st), eng) != PS_OK:
            raise MemoryError("piiscrub: out of memory")
        fd = data if isinstance(data, int) else _memfd([data] if isinstance(data, (bytes, bytearray)) else data)
        try:
            rc = lib.ps_run(eng, ctypes.byref(ro), fd, ctypes.byref(st))  # GIL released here
            errno = ctypes.get_errno()
            stats = _stats_dict(st, self._rule_ids)
        finally:
            lib.ps_stats_free(ctypes.byref(st))
            if not isinstance(data, int):
                os.close(fd)
        if failure:
            raise failure[0]
        if rc != PS_OK:
            raise _run_error(rc, fmt, name, errno)
        return out, stats


def _rebuild(args):
    return Scrubber(**args)


class _RunArgs:
    """Per-call run options: jsonl fields, the filter, on_invalid/on_error overrides."""

    def __init__(self, fields=None, exclude=None, require=None, exclude_ids=None, id_field=None, drop_findings=0,
                 drop_density=0.0, on_invalid=None, on_error=None, block_size=None):
        if on_invalid is not None and on_invalid not in ON_INVALID:
            raise UsageError("invalid value '%s' for on_invalid: expected text, drop or abort" % on_invalid,
                             PS_E_USAGE)
        if on_error is not None and on_error not in ON_ERROR:
            raise UsageError("invalid value '%s' for on_error: expected unscanned or abort" % on_error, PS_E_USAGE)
        self.on_invalid = on_invalid
        self.on_error = on_error
        self.block_size = block_size
        if isinstance(fields, str):
            fields = [fields]
        self._fields = [_enc(f) for f in fields] if fields else None
        self.fields_arr = (_c_char_p * len(self._fields))(*self._fields) if self._fields else None
        self.filter = _Filter(exclude, require, exclude_ids, id_field, drop_findings, drop_density)

    def close(self):
        self.filter.close()


class _Batch:
    """A list of lines as one payload, and the way back from output lines to list items."""

    def __init__(self, lines):
        self.is_bytes = not isinstance(lines[0], str)
        nl = self.nl = b"\n" if self.is_bytes else "\n"
        self.empty = b"" if self.is_bytes else ""
        joined = nl.join(lines)
        if joined.count(nl) == len(lines) - 1:
            # Common case: no item holds a newline.
            self.items, self.had_nl, self.counts, self.joined = lines, None, None, joined
            return
        if self.is_bytes:
            lines = [bytes(x) for x in lines]
        self.had_nl = [x.endswith(nl) for x in lines]
        self.items = [x[:-1] if h else x for x, h in zip(lines, self.had_nl)]
        self.counts = [x.count(nl) for x in self.items]
        self.joined = nl.join(self.items)

    def payload(self):
        return [self.joined if self.is_bytes else _enc(self.joined), b"\n"]

    def finish(self, i, text):
        return text + self.nl if self.had_nl is not None and self.had_nl[i] else text

    def split(self, parts):
        """Output lines of payload() -> list of items, or None when the line counts do not match."""
        nl = self.nl
        if parts is None:
            return None
        if self.counts is None:
            return parts if len(parts) == len(self.items) else None
        if len(parts) != sum(self.counts) + len(self.items):
            return None
        res = []
        pos = 0
        for i, c in enumerate(self.counts):
            res.append(self.finish(i, nl.join(parts[pos:pos + c + 1])))
            pos += c + 1
        return res


class _LineSink:
    """Collects output lines chunk by chunk, while the workers go on. Chunks end at record ends, except the windows
    of an over-long record: then the unfinished line is carried to the next chunk."""

    def __init__(self, is_bytes):
        self.decode = not is_bytes
        self.lines = []
        self.carry = b""

    def __call__(self, b):
        if self.carry:
            b = self.carry + b
            self.carry = b""
        if b.endswith(b"\n"):
            parts = (_dec(b).split("\n") if self.decode else b.split(b"\n"))
            parts.pop()
        else:
            k = b.rfind(b"\n")
            self.carry = b[k + 1:]
            if k < 0:
                return
            parts = _dec(b[:k]).split("\n") if self.decode else b[:k].split(b"\n")
        self.lines += parts

    def finish(self):
        """@return the lines, or None when the output did not end with a newline."""
        return None if self.carry else self.lines


def _json_bytes(b):
    """b as the content of a JSON string (bytes): quote, backslash and control characters escaped."""
    out = bytearray()
    for ch in b:
        if ch == 0x22 or ch == 0x5C:
            out += b"\\" + bytes([ch])
        elif ch < 0x20:
            out += b"\\u%04x" % ch
        else:
            out.append(ch)
    return bytes(out)


def _marker(requires, batch):
    """A JSON line that satisfies every require gate and nothing else: {"<nonce>":0,"a":{"b":"value"}}, or None
    when the gates cannot all hold at once."""
    tree = {}
    for field, value in requires:
        node = tree
        parts = field.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                return None
        if parts[-1] in node and node[parts[-1]] != value:
            return None
        node[parts[-1]] = value

    def dump(node):
        items = []
        for k, v in node.items():
            val = dump(v) if isinstance(v, dict) else b'"' + _json_bytes(_enc(v)) + b'"'
            items.append(b'"' + _json_bytes(_enc(k)) + b'":' + val)
        return b"{" + b",".join(items) + b"}"

    for _ in range(4):
        nonce = b"__piiscrub_marker_" + secrets.token_hex(16).encode()
        joined = batch.joined if batch.is_bytes else _enc(batch.joined)
        if nonce not in joined:
            body = dump(tree)
            return b'{"' + nonce + b'":0' + (b"," + body[1:] if tree else b"}")
    return None


def _stats_dict(st, rule_ids):
    return {
        "bytes_in": st.bytes_in, "bytes_out": st.bytes_out, "records": st.records,
        "records_changed": st.records_changed, "findings": st.findings, "unscanned": st.unscanned,
        "invalid": st.invalid, "missing_field": st.missing_field,
        "dropped": {name: st.dropped[i] for i, name in enumerate(DROP_REASONS)},
        "per_rule": {rule_ids[i]: st.per_rule[i] for i in range(st.n_rules) if st.per_rule[i]},
    }


def _run_error(rc, fmt, name, errno):
    if rc == PS_E_UNSCANNED:
        msg = ("%s: record could not be scanned; stopping because of on_error='abort' (nothing of that record was "
               "written)" % name)
    elif rc == PS_E_IO and errno:
        msg = "%s: %s" % (name, os.strerror(errno))
    elif rc == PS_E_INVALID:
        msg = "%s: %s; stopping" % (name, _dec(_load().ps_strerror(rc)))
    elif rc == PS_E_USAGE:
        msg = "cannot run with these options: %s%s" % (
            _dec(_load().ps_strerror(rc)),
            " (fields and field gates need format='jsonl'; field paths are dotted names)" if fmt != 2 else "")
    elif rc == PS_E_NOMEM:
        return MemoryError("piiscrub: out of memory")
    else:
        msg = "%s: %s" % (name, _dec(_load().ps_strerror(rc)))
    return _ERRORS.get(rc, Error)(msg, rc)


def _open_fd(f, flags, close):
    if hasattr(f, "fileno"):
        if hasattr(f, "flush"):
            f.flush()
        return f.fileno()
    if isinstance(f, int):
        return f
    try:
        fd = os.open(f, flags | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise ScrubIOError("cannot open '%s': %s" % (os.fsdecode(f), e.strerror), PS_E_IO) from None
    close.append(fd)
    return fd


def _name(f):
    if hasattr(f, "name"):
        return str(f.name)
    return os.fsdecode(f) if not isinstance(f, int) else "fd %d" % f


def scrub_file(src, dst, format="jsonl", threads=0, **options):
    """Redacts the file src into dst with the threaded C pipeline (every thread in C; the GIL is released).
    options: the Scrubber's (rules, packs, action, key_file, key, tag_format, on_error, block_size) and the run's
    (fields, exclude, require, exclude_ids, id_field, drop_findings, drop_density, on_invalid).
    @return the run's stats: bytes_in/out, records, findings, dropped by reason, per_rule counts."""
    run = {k: options.pop(k) for k in list(options) if k in _RUN_KEYS and k not in ("on_error", "block_size")}
    with Scrubber(threads=threads, **options) as s:
        return s.scrub_file(src, dst, format=format, **run)
