# bash completion for badgatewayd(8): its commands, each command's options, and files or
# directories where an option takes one. Installed as
# /usr/share/bash-completion/completions/badgatewayd.

_badgatewayd() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} cmd='' i
	# "--config=FILE": bash splits at '=' (COMP_WORDBREAKS)
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		scan | run | check | discover | --check-config)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	case $prev in
	-c | --config | --jsonl | --file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	-r | --root | --state-dir | -D | --directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	-s | --since | -t | --timeout | -u | --unit)
		COMPREPLY=()
		return
		;;
	esac

	local words
	case $cmd in
	'') [[ $cur == -* ]] && words='--check-config --version --help' || words='run check scan discover' ;;
	run) words='--config --stdout --journal --jsonl --state-dir --version --help' ;;
	check) words='--config --json --since --timeout --version --help' ;;
	scan) words='--json --since --ascii --journal --unit --directory --file --version --help -' ;; # - : standard input
	discover) words='--root --json --version --help' ;;
	--check-config) words='--config --version --help' ;;
	esac
	if [[ $cmd == scan && $cur != -* ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}

complete -F _badgatewayd badgatewayd
