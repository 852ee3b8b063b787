#!/usr/bin/python3
"""Redact a directory of JSONL shards on a Dask cluster, one task per shard; writes redacted shards of the same names.

    /usr/bin/python3 examples/dask_redact.py IN_DIR OUT_DIR [--workers 2] [--scheduler tcp://host:8786]
        [--action hash --key-file key] [--field text ...] [--require F=V ...] [--exclude F=V,V ...]
        [--on-invalid drop] [--mode files|records] [--threads 1]

Every worker builds the same Scrubber from the same options, so the output is the output of `piiscrub -f jsonl` over
each shard, byte for byte, however many workers there are: the hash action's tokens are HMACs under the one key, with
no coordination between workers (the key file must be readable on every worker; it is never sent over the network).

--mode files (default): each task runs piiscrub.scrub_file on its shard — the threaded C pipeline file to file.
--mode records: each task reads its shard into Python and calls Scrubber.redact_jsonl — the shape to copy when the
records are already in a dask.bag (from read_text, a dataframe, a Hugging Face dataset) and more steps follow.

Without --scheduler it starts a LocalCluster of --workers processes (one thread each). Worker processes re-import
this file, so the cluster is started only under `if __name__ == "__main__":`.

Requires Debian's python3-dask and python3-distributed (for /usr/bin/python3) and libpiiscrub.so
(PIISCRUB_LIBRARY, beside the package, or the system path).
"""
import argparse
import glob
import os
import sys

try:
    import piiscrub
except ImportError:  # running from the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
    import piiscrub

_SCRUBBERS = {}


def scrubber(opts):
    """One Scrubber per worker process and option set: rules are compiled once, not per shard."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in opts.items()))
    s = _SCRUBBERS.get(key)
    if s is None:
        s = _SCRUBBERS[key] = piiscrub.Scrubber(**opts)
    return s


def redact_shard(src, out_dir, engine_opts, run_opts, mode):
    """Redacts one shard into out_dir. @return a summary dict (never a value from the data)."""
    dst = os.path.join(out_dir, os.path.basename(src))
    tmp = dst + ".part"
    s = scrubber(engine_opts)
    if mode == "files":
        st = s.scrub_file(src, tmp, format="jsonl", **run_opts)
        summary = {"records": st["records"], "findings": st["findings"], "dropped": sum(st["dropped"].values())}
    else:
        with open(src, "rb") as f:
            parts = f.read().decode("utf-8", "surrogateescape").split("\n")
        # Items keep their newline (redact_jsonl keeps it too), so the last line of a shard without one stays so.
        lines = [x + "\n" for x in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        out = s.redact_jsonl(lines, **run_opts)
        with open(tmp, "wb") as f:
            f.write("".join(x for x in out if x is not None).encode("utf-8", "surrogateescape"))
        summary = {"records": len(out), "findings": None, "dropped": sum(x is None for x in out)}
    os.replace(tmp, dst)  # a shard appears whole or not at all
    summary.update(shard=os.path.basename(src), worker_pid=os.getpid())
    return summary


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("in_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--pattern", default="*.jsonl")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (without --scheduler)")
    ap.add_argument("--scheduler", help="address of a running dask scheduler")
    ap.add_argument("--mode", choices=("files", "records"), default="files")
    ap.add_argument("--threads", type=int, default=1, help="C threads per task (default 1: Dask runs the shards)")
    ap.add_argument("-r", "--rules", action="append")
    ap.add_argument("--packs")
    ap.add_argument("-a", "--action", default="tag")
    ap.add_argument("--key-file")
    ap.add_argument("--tag-format")
    ap.add_argument("--field", action="append")
    ap.add_argument("--exclude", action="append")
    ap.add_argument("--require", action="append")
    ap.add_argument("--on-invalid", choices=("text", "drop", "abort"))
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import dask.bag as db
    from distributed import Client, LocalCluster

    shards = sorted(glob.glob(os.path.join(args.in_dir, args.pattern)))
    if not shards:
        sys.exit("dask_redact: no %s in %s" % (args.pattern, args.in_dir))
    os.makedirs(args.out_dir, exist_ok=True)
    key_file = os.path.abspath(args.key_file) if args.key_file else None
    engine_opts = dict(rules=args.rules, packs=args.packs, action=args.action, key_file=key_file,
                       tag_format=args.tag_format, threads=args.threads)
    # Fail here, with the CLI's message, rather than on every worker.
    piiscrub.Scrubber(**engine_opts).close()
    run_opts = {k: v for k, v in dict(fields=args.field, exclude=args.exclude, require=args.require,
                                      on_invalid=args.on_invalid).items() if v}

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        client.wait_for_workers(args.workers)  # so that every worker gets shards from the start
    try:
        bag = db.from_sequence(shards, npartitions=len(shards))
        results = bag.map(redact_shard, os.path.abspath(args.out_dir), engine_opts, run_opts, args.mode).compute()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    for r in results:
        print("%(shard)s\trecords=%(records)s\tfindings=%(findings)s\tdropped=%(dropped)s\tpid=%(worker_pid)s" % r)
    print("%d shards, %d worker processes" % (len(results), len({r["worker_pid"] for r in results})))


if __name__ == "__main__":
    main()
