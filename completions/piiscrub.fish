# fish completion for piiscrub(1). Installed to share/fish/vendor_completions.d/piiscrub.fish.

complete -c piiscrub -s h -l help -d 'Print the help and exit'
complete -c piiscrub -s V -l version -d 'Print the version and exit'

# rules
complete -c piiscrub -s r -l rules -r -F -d 'Rule file or directory (repeatable)'
complete -c piiscrub -l packs -x -d 'Keep only the rules of these packs (A,B)'
complete -c piiscrub -l list-rules -d 'Print the loaded rules and exit'
complete -c piiscrub -l test-rules -d "Run every rule's examples; exit 1 on a failure"

# input and output
complete -c piiscrub -s f -l format -x -a 'text\t"a record is a line (default)" jsonl\t"a JSON value per line" nul\t"NUL-separated records"' -d 'Input format'
complete -c piiscrub -l field -x -d 'jsonl: scan only this field (dotted path)'
complete -c piiscrub -s o -l output -r -F -d 'Write to FILE instead of stdout'
complete -c piiscrub -s j -l threads -x -a '0 1 2 4 8' -d 'Worker threads (0 = all cores)'

# redaction
complete -c piiscrub -s a -l action -x -a 'tag\t"[ENTITY] (default)" mask\t"same length, *" partial\t"the last 4 stay" hash\t"keyed HMAC token" remove\t"the value disappears"' -d 'How findings are replaced'
complete -c piiscrub -l key-file -r -F -d 'Secret key for the hash action'
complete -c piiscrub -l tag-format -x -d 'Tag text; {entity} and {rule} are replaced'

# reports and CI gates
complete -c piiscrub -l check -d 'Redact nothing; list findings as file:line:col; exit 1 if any'
complete -c piiscrub -s q -l quiet -d 'With --check: print nothing, stop at the first finding'
complete -c piiscrub -l stats -d 'JSON summary to stderr (or --stats=FILE)'
complete -c piiscrub -l report -r -F -d 'Write every finding to FILE'
complete -c piiscrub -l report-format -x -a 'jsonl\t"one JSON object per finding" sarif\t"SARIF 2.1.0 for code scanning"' -d 'Format of --report'
complete -c piiscrub -l progress -d 'Status line on stderr'
complete -c piiscrub -l no-progress -d 'Never show the status line'
complete -c piiscrub -l profile -d 'Per-rule cost table and prefilter trigger on stderr'
complete -c piiscrub -l block-size -x -d 'Bytes per chunk handed to a thread'

# explaining
complete -c piiscrub -l explain -d 'Per candidate: which rule matched, which check kept or dropped it'
complete -c piiscrub -l explain-show-values -d 'With --explain: show the matched text in clear'

# failing closed
complete -c piiscrub -l on-error -x -a 'unscanned\t"write [UNSCANNED] (default)" abort\t"stop with exit 4"' -d 'When a record cannot be scanned'
complete -c piiscrub -l on-invalid -x -a 'text\t"scan it as text (default)" drop\t"drop it" abort\t"stop"' -d 'jsonl: a line that is not JSON'

# training-data filters
complete -c piiscrub -l exclude -x -d 'Drop records whose FIELD has one of the values (FIELD=V1,V2)'
complete -c piiscrub -l require -x -d 'Keep only records whose FIELD has VALUE (FIELD=VALUE)'
complete -c piiscrub -l exclude-ids -r -F -d 'Drop records whose id is in FILE'
complete -c piiscrub -l id-field -x -d 'The field that holds the id'
complete -c piiscrub -l drop-findings -x -d 'Drop records with N or more findings'
complete -c piiscrub -l drop-density -x -d 'Drop records with more than X findings per KiB'
