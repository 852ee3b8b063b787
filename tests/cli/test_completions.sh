# Shell completions (completions/): syntax, registration, values, and every option of --help in each of them.
. "$(dirname "$0")/lib.sh" "$@"

C=$SRC/completions
"$BIN" --help >"$TMP/help"
mapfile -t OPTS < <(grep -o -- '--[a-z][a-z-]*' "$TMP/help" | sort -u)
if [ "${#OPTS[@]}" -ge 25 ]; then pass; else fail "found only ${#OPTS[@]} options in --help"; fi

tcase "bash: parses, registers, completes options and values"
if bash -n "$C/piiscrub.bash" 2>"$TMP/bash.err"; then pass; else fail "bash -n: $(cat "$TMP/bash.err")"; fi
# complete_words LINE...: what the completion function offers for the last word (plain bash, no bash-completion).
complete_words() {
    bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _piiscrub
        printf "%s\n" "${COMPREPLY[@]}"' _ "$C/piiscrub.bash" "$@"
}
reg=$(bash -c 'source "$1"; complete -p piiscrub' _ "$C/piiscrub.bash")
if [ "$reg" = "complete -F _piiscrub piiscrub" ]; then pass; else fail "complete -p says: $reg"; fi
[ "$(complete_words piiscrub --report-f)" = "--report-format" ] && pass || fail "--report-f does not complete"
[ "$(complete_words piiscrub --report-format '' | tr '\n' ' ')" = "jsonl sarif " ] && pass || fail "--report-format values"
[ "$(complete_words piiscrub -a '' | tr '\n' ' ')" = "tag mask partial hash remove " ] && pass || fail "--action values"
[ "$(complete_words piiscrub --format j)" = "jsonl" ] && pass || fail "--format values"
[ "$(complete_words piiscrub --on-error = a)" = "abort" ] && pass || fail "--on-error=a (split by COMP_WORDBREAKS)"
[ "$(complete_words piiscrub --on-error=u)" = "unscanned" ] && pass || fail "--on-error=u"
mkdir -p "$TMP/d/rules"
touch "$TMP/d/input.log" "$TMP/d/rules/a.yaml" "$TMP/d/notes.txt"
got=$(cd "$TMP/d" && complete_words piiscrub in)
[ "$got" = "input.log" ] && pass || fail "file operands: got '$got'"
got=$(cd "$TMP/d" && complete_words piiscrub -r rules/ | tr '\n' ' ')
[ "$got" = "rules/a.yaml " ] && pass || fail "-r completes rule files: got '$got'"
for o in "${OPTS[@]}"; do
    grep -q -- "$o\\b" "$C/piiscrub.bash" && pass || fail "bash completion lacks $o"
done
if [ -r /usr/share/bash-completion/bash_completion ]; then
    got=$(bash -c '
        source /usr/share/bash-completion/bash_completion; source "$1"
        COMP_WORDS=(piiscrub --report-format s); COMP_CWORD=2; COMP_LINE="piiscrub --report-format s"
        COMP_POINT=${#COMP_LINE}; _piiscrub; printf "%s\n" "${COMPREPLY[@]}"' _ "$C/piiscrub.bash")
    [ "$got" = "sarif" ] && pass || fail "with bash-completion loaded: got '$got'"
else
    echo "note: bash-completion not installed; tested without it"
fi

tcase "zsh: parses and registers with compinit"
if command -v zsh >/dev/null 2>&1; then
    if zsh -n "$C/_piiscrub" 2>"$TMP/zsh.err"; then pass; else fail "zsh -n: $(cat "$TMP/zsh.err")"; fi
    got=$(zsh -fc 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -D; print -r -- ${_comps[piiscrub]}' _ "$C")
    [ "$got" = "_piiscrub" ] && pass || fail "compinit did not register _piiscrub: '$got'"
else
    echo "note: zsh not installed; only the option list is checked"
fi
for o in "${OPTS[@]}"; do
    grep -q -- "$o\\b" "$C/_piiscrub" && pass || fail "zsh completion lacks $o"
done

tcase "fish: parses, completes options and values"
if command -v fish >/dev/null 2>&1; then
    if fish --no-execute "$C/piiscrub.fish" 2>"$TMP/fish.err"; then pass; else fail "fish: $(cat "$TMP/fish.err")"; fi
    got=$(HOME=$TMP fish -c 'source $argv[1]; complete -C "piiscrub --report-format "' "$C/piiscrub.fish" | cut -f1 | tr '\n' ' ')
    [ "$got" = "jsonl sarif " ] && pass || fail "fish --report-format values: '$got'"
    got=$(HOME=$TMP fish -c 'source $argv[1]; complete -C "piiscrub --on-e"' "$C/piiscrub.fish" | cut -f1)
    [ "$got" = "--on-error" ] && pass || fail "fish --on-e: '$got'"
else
    echo "note: fish not installed; only the option list is checked"
fi
for o in "${OPTS[@]}"; do
    grep -q -- "-l ${o#--}\\b" "$C/piiscrub.fish" && pass || fail "fish completion lacks $o"
done

finish
