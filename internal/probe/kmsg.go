package probe

import (
	"github.com/beeaudit/bee/internal/host"
)

// KmsgPath is the kernel's log device: one record per read, and a read blocks
// once every record is read, so it is read with host.ReadStream.
const KmsgPath = "/dev/kmsg"

// JournalKernelArgv reads the kernel log from the journal when /dev/kmsg cannot
// be read (no permission, dmesg_restrict, a container).
var JournalKernelArgv = []string{"journalctl", "-k", "-o", "short-monotonic", "--no-pager"}

// KernelLog is one read of the kernel log.
type KernelLog struct {
	// Source is KmsgPath or "journalctl"; Data what it gave.
	Source string
	Data   []byte
	// KmsgErr says why /dev/kmsg could not be read (then the journal was asked);
	// Res is journalctl's run, zero when /dev/kmsg answered.
	KmsgErr error
	Res     host.Result
}

// ReadKernelLog reads /dev/kmsg once, without waiting for new records, or, when
// it cannot be read, runs `journalctl -k` through run. An empty /dev/kmsg is an
// answer (a buffer already cleared), not a reason to ask the journal.
func ReadKernelLog(fs host.FS, run RunFunc) KernelLog {
	b, err := host.ReadStream(fs, KmsgPath)
	if err == nil {
		return KernelLog{Source: KmsgPath, Data: b}
	}
	k := KernelLog{Source: "journalctl", KmsgErr: err}
	k.Res = run(append([]string(nil), JournalKernelArgv...))
	k.Data = k.Res.Stdout
	return k
}
