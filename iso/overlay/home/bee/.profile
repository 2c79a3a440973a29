# ~/.profile of the autologin user `bee` (bee live ISO, docs/tui.md).
# On tty1 and on the serial consoles (ttyS*: a getty runs only on those named by console=
# on the kernel command line) the login session becomes the menu; everywhere else
# (su -l bee, ssh) this is an ordinary login shell.
if [ -n "${BASH_VERSION:-}" ] && [ -f "$HOME/.bashrc" ]; then
	# shellcheck disable=SC1091 # .bashrc comes from /etc/skel at build time
	. "$HOME/.bashrc"
fi
PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
export PATH

case $(tty 2>/dev/null) in
/dev/tty1 | /dev/ttyS[0-9]*)
	if [ -z "${BEE_MENU:-}" ]; then
		BEE_MENU=1
		export BEE_MENU
		exec /usr/local/bin/menu
	fi
	;;
esac
