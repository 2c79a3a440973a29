# ~/.profile of the tty1 autologin user `bee` (bee live ISO, docs/tui.md).
# On tty1 only, the login session becomes the menu; everywhere else (serial console,
# su -l bee, ssh) this is an ordinary login shell.
if [ -n "${BASH_VERSION:-}" ] && [ -f "$HOME/.bashrc" ]; then
	# shellcheck disable=SC1091 # .bashrc comes from /etc/skel at build time
	. "$HOME/.bashrc"
fi
PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
export PATH

if [ "$(tty 2>/dev/null)" = /dev/tty1 ] && [ -z "${BEE_MENU:-}" ]; then
	BEE_MENU=1
	export BEE_MENU
	exec /usr/local/bin/menu
fi
