# bash completion for piiscrub(1)                                          -*- shell-script -*-
# Installed to share/bash-completion/completions/piiscrub (loaded on demand by bash-completion).

_piiscrub()
{
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -s || return
    else
        # Without the bash-completion package: the plain variables, and --opt=value split by hand.
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        if [[ $cur == --*=* ]]; then
            prev=${cur%%=*}
            cur=${cur#*=}
            split=true
        elif [[ $cur == = && $prev == --* ]]; then
            cur=
            split=true
        elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
            prev=${COMP_WORDS[COMP_CWORD - 2]}
            split=true
        fi
    fi

    case $prev in
        -f | --format)
            COMPREPLY=($(compgen -W 'text jsonl nul' -- "$cur"))
            return ;;
        -a | --action)
            COMPREPLY=($(compgen -W 'tag mask partial hash remove' -- "$cur"))
            return ;;
        --on-error)
            COMPREPLY=($(compgen -W 'unscanned abort' -- "$cur"))
            return ;;
        --on-invalid)
            COMPREPLY=($(compgen -W 'text drop abort' -- "$cur"))
            return ;;
        --report-format)
            COMPREPLY=($(compgen -W 'jsonl sarif' -- "$cur"))
            return ;;
        -r | --rules)
            # a rule file or a directory of them
            local IFS=$'\n'
            COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur") $(compgen -f -X '!*.yml' -- "$cur"))
            compopt -o filenames 2>/dev/null
            return ;;
        -o | --output | --report | --key-file | --exclude-ids | --stats)
            local IFS=$'\n'
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return ;;
        -j | --threads)
            COMPREPLY=($(compgen -W "0 1 2 4 8 $(nproc 2>/dev/null)" -- "$cur"))
            return ;;
        --packs | --field | --tag-format | --exclude | --require | --id-field | --drop-findings | --drop-density | \
            --block-size)
            return ;; # free text
    esac
    $split && return

    if [[ $cur == -* ]]; then
        local opts='-r --rules --packs --list-rules --test-rules -j --threads -f --format --field -a --action
            --key-file --tag-format --stats --stats= --report --report-format --check -q --quiet --explain --explain-show-values
            --progress --no-progress --profile --block-size --on-error= --on-invalid= --exclude --require --exclude-ids --id-field
            --drop-findings --drop-density -o --output -V --version -h --help'
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi
    # operands: input files
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}
complete -F _piiscrub piiscrub
