#!/usr/bin/env python3
"""The Python peer: what a data pipeline written in Python does to scrub text, line by line.

    python3 re_sub.py reference-patterns.rg < in > out

Each pattern of the ripgrep file is compiled once with re.ASCII (ripgrep's (?-u): ASCII \\b and \\s), then every
line goes through re.sub for each pattern in turn, replacing matches with [REDACTED]."""
import re
import sys


def main():
    pats = []
    with open(sys.argv[1], encoding='ascii') as f:
        for line in f:
            line = line.rstrip('\n')
            if line:
                pats.append(re.compile(line[5:] if line.startswith('(?-u)') else line, re.ASCII))
    sys.stdin.reconfigure(encoding='utf-8', errors='surrogateescape', newline='')
    sys.stdout.reconfigure(encoding='utf-8', errors='surrogateescape', newline='')
    write = sys.stdout.write
    for line in sys.stdin:
        for p in pats:
            line = p.sub('[REDACTED]', line)
        write(line)


if __name__ == '__main__':
    main()
