package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
)

// lsblkArgv is what the storage collector runs.
var lsblkArgv = []string{"lsblk", "-J", "-b", "-o", audit.LsblkColumns}

// smartExit reads the exit status smartctl recorded in its own JSON, so the
// fake exits as the real tool did.
func smartExit(t testing.TB, path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Smartctl struct {
			ExitStatus int `json:"exit_status"`
		} `json:"smartctl"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v.Smartctl.ExitStatus
}

func smart(t testing.TB, dev, name string) fakeCmd {
	p := fixture("smartctl", name)
	return fakeCmd{argv: []string{"smartctl", "-j", "-x", dev}, stdout: p, exit: smartExit(t, p)}
}

func baseFiles(hostname, memTotalKB string) map[string]string {
	return map[string]string{
		"/proc/sys/kernel/hostname":  hostname + "\n",
		"/proc/sys/kernel/osrelease": "6.1.0-56-amd64\n",
		"/proc/meminfo":              "MemTotal:       " + memTotalKB + " kB\nMemFree:        1000000 kB\nMemAvailable:   2000000 kB\n",
	}
}

// gpuServer is a Supermicro SYS-4029GP-TRT2 GPU server (real dmidecode and
// BMC SDR with two failed PSUs), with four Tesla K80 as nvidia-smi reports
// them (real capture), a fifth NVIDIA GPU on the PCI bus that nvidia-smi does
// not see, a NIC whose link trained narrower than it can, a NVMe drive with
// media errors and a disk whose SMART health failed. lspci is not installed: the PCIe
// inventory comes from sysfs alone.
func gpuServer(t testing.TB) machine {
	dmi := fixture("dmidecode", "supermicro-sys-4029gp-trt2_8gpu_from-nvidia-bug-report.txt")
	files := baseFiles("gpu-node-07", "263921316") // 8 × 32 GB DIMMs, ~98 % visible
	files["/dev/ipmi0"] = ""
	files["/sys/devices/system/edac/mc/mc0/ce_count"] = "3\n"
	files["/sys/devices/system/edac/mc/mc0/ue_count"] = "0\n"
	files["/sys/devices/system/edac/mc/mc1/ce_count"] = "0\n"
	files["/sys/devices/system/edac/mc/mc1/ue_count"] = "0\n"
	links := map[string]string{}
	netCmds := netPorts(t, files, links)
	// The kernel log (read from /dev/kmsg under --root): a real dmesg -H of a GPU
	// server with uncorrected fatal PCIe AER errors.
	files["/dev/kmsg"] = readFixture(t, fixture("kmsg", "intel-broadwell-gpu-server_dmesg-H_aer-uncorrected-fatal-cmplto.txt"))
	for _, f := range []pciFn{
		// Root port x16 capable, x4 trained to an x4 device: not a finding.
		{addr: "0000:00:01.0", vendor: "8086", device: "2030", class: "060400", driver: "pcieport",
			curSpeed: "8.0 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "4", maxWidth: "16", aerCor: "0", aerNonFatal: "0", aerFat: "0"},
		// Mellanox ConnectX-5: x8 on an x16-capable card, 2 non-fatal AER errors.
		{addr: "0000:18:00.0", vendor: "15b3", device: "1017", class: "020000", svendor: "15b3", sdevice: "0007", driver: "mlx5_core", numa: "0",
			curSpeed: "8.0 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "8", maxWidth: "16", aerCor: "5", aerNonFatal: "2", aerFat: "0"},
		// Tesla K80s as Azure's vPCI shows them; idle at 2.5 GT/s (not a finding).
		{addr: "1580:00:00.0", vendor: "10de", device: "102d", class: "030200", driver: "nvidia", curSpeed: "2.5 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "16", maxWidth: "16"},
		{addr: "2df7:00:00.0", vendor: "10de", device: "102d", class: "030200", driver: "nvidia", curSpeed: "2.5 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "16", maxWidth: "16"},
		{addr: "4968:00:00.0", vendor: "10de", device: "102d", class: "030200", driver: "nvidia", curSpeed: "2.5 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "16", maxWidth: "16"},
		{addr: "f8d6:00:00.0", vendor: "10de", device: "102d", class: "030200", driver: "nvidia", curSpeed: "2.5 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "16", maxWidth: "16"},
		// A Quadro RTX 5000 the driver lost.
		{addr: "0000:b1:00.0", vendor: "10de", device: "1eb0", class: "030000", curSpeed: "8.0 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "16", maxWidth: "16"},
		{addr: "0000:b1:00.1", vendor: "10de", device: "10f8", class: "040300", curSpeed: "8.0 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "16", maxWidth: "16"},
	} {
		f.add(files, links)
	}
	return machine{
		name: "gpu-server",
		cmds: append([]fakeCmd{
			{argv: []string{"dmidecode", "-t", "0,1,2"}, stdout: dmi},
			{argv: []string{"dmidecode", "-t", "4"}, stdout: dmi},
			{argv: []string{"dmidecode", "-t", "17"}, stdout: dmi},
			{argv: []string{"dmidecode", "-t", "16"}, stdout: dmi},
			// lsblk lists sda, nvme0n1 (plus loop0 and sr0, which are not disks).
			{argv: lsblkArgv, stdout: fixture("lsblk", "qemu/lsblk.json")},
			smart(t, "/dev/sda", "usb-jmicron_hitachi-hds721050dle630_FAILED_a.json"),
			// nvme-cli is not installed here: NVMe health comes from smartctl alone.
			smart(t, "/dev/nvme0", "nvme_samsung-970evo_media-errors_x.json"),
			{argv: []string{"ipmitool", "fru"}, stdout: fixture("ipmitool", "intel-s7200ap_fru_psu.txt")},
			{argv: []string{"ipmitool", "sdr", "elist"}, stdout: fixture("ipmitool", "supermicro-sys-4029gp-trt2_sdr-elist_psu-failure.txt")},
			{argv: []string{"nvidia-smi", "-q", "-x"}, stdout: fixture("nvidiasmi", "4x-tesla-k80_q-x_v10.xml")},
			// Tesla K80s have no NVLink: nvidia-smi prints nothing (a real A10's
			// answer, the same for any GPU without NVLink).
			{argv: []string{"nvidia-smi", "nvlink", "-s"}, stdout: fixture("nvidiasmi", "nvlink/a10_nvlink-status_empty-output.txt")},
			// The ConnectX-5's flash holds firmware it does not run yet (real capture of a ConnectX FS4 card).
			{argv: []string{"mstflint", "-d", "0000:18:00.0", "query"}, stdout: fixture("mstflint", "connectx-fs4_mstflint-query_burned-not-running.txt")},
			// A Broadcom SAS3 HBA with a RAID 1 volume (real sas3ircu capture of another machine).
			{argv: []string{"sas3ircu", "0", "DISPLAY"}, stdout: fixture("raid", "sas3ircu_display_raid1-volume.txt")},
			// The BMC: a Supermicro's bmc info and SEL (the same model's SEL, with the
			// PSU failure its SDR shows), an Intel BMC's lan print and a SEL info
			// whose overflow flag is set (real captures of other machines; the
			// machine already mixes an Intel FRU with the Supermicro SDR).
			{argv: []string{"ipmitool", "mc", "info"}, stdout: bmcFixture("mc", "supermicro_bmc-info_no-aux-firmware-info.txt")},
			{argv: []string{"ipmitool", "lan", "print"}, stdout: bmcFixture("lan", "intel-bmc_lan-print_bios-assigned-address.txt")},
			{argv: []string{"ipmitool", "sel", "info"}, stdout: bmcFixture("selinfo", "ipmitool-issue335-host_sel-info_overflow-true.txt")},
			{argv: []string{"ipmitool", "sel", "elist"}, stdout: bmcFixture("sel", "supermicro-sys-4029gp-trt2_sel-elist_psu-failure_chassis-intrusion.txt")},
		}, netCmds...),
		files: files,
		links: links,
	}
}

// netPorts writes /sys/class/net for a server: an i40e 10G port with link and a
// tg3 LOM port without (their ethtool answers, returned, are real captures; the
// sysfs attributes and PCI functions are constructed to agree with them), plus
// lo, a bridge and a bond, which are not physical ports; and the real
// /sys/class/infiniband tree of an H100 node (8 NDR ports, a RoCE bond).
func netPorts(t testing.TB, files, links map[string]string) []fakeCmd {
	for _, f := range []pciFn{
		{addr: "0000:3b:00.1", vendor: "8086", device: "1572", class: "020000", driver: "i40e", numa: "0",
			curSpeed: "8.0 GT/s PCIe", maxSpeed: "8.0 GT/s PCIe", curWidth: "8", maxWidth: "8"},
		{addr: "0000:04:00.0", vendor: "14e4", device: "165f", class: "020000", driver: "tg3", numa: "0",
			curSpeed: "5.0 GT/s PCIe", maxSpeed: "5.0 GT/s PCIe", curWidth: "1", maxWidth: "1"},
	} {
		f.add(files, links)
	}
	addTree(t, files, fixture("infiniband", "h100-node_8x-cx7-ndr-ib_bf3-bond_sysfs-class-infiniband"), "/sys/class/infiniband")
	for _, p := range []struct{ name, dev, mac, oper, carrier, speed, duplex string }{
		{"eth0", "0000:3b:00.1", "3c:fd:fe:a1:b2:c3", "up", "1", "10000", "full"},
		{"eno8403", "0000:04:00.0", "b0:7b:25:de:ad:01", "down", "0", "-1", "unknown"},
		{"lo", "", "00:00:00:00:00:00", "unknown", "1", "", ""},
		{"br0", "", "3c:fd:fe:a1:b2:c3", "up", "1", "", ""},
		{"bond0", "", "3c:fd:fe:a1:b2:c4", "down", "0", "", ""},
	} {
		d := "/sys/class/net/" + p.name + "/"
		files[d+"address"] = p.mac + "\n"
		files[d+"operstate"] = p.oper + "\n"
		files[d+"carrier"] = p.carrier + "\n"
		if p.speed != "" {
			files[d+"speed"] = p.speed + "\n"
			files[d+"duplex"] = p.duplex + "\n"
		}
		files[d+"type"] = "1\n"
		if p.dev != "" {
			links[d+"device"] = "../../../bus/pci/devices/" + p.dev
		}
	}
	return []fakeCmd{
		{argv: []string{"ethtool", "-i", "eth0"}, stdout: fixture("ethtool", "intel-i40e_ethtool-i.txt")},
		{argv: []string{"ethtool", "eth0"}, stdout: fixture("ethtool", "intel-i40e_10gbase-sr_ethtool.txt")},
		{argv: []string{"ethtool", "-i", "eno8403"}, stdout: fixture("ethtool", "broadcom-bcm5720_tg3_ethtool-i.txt")},
		{argv: []string{"ethtool", "eno8403"}, stdout: fixture("ethtool", "broadcom-bcm5720_tg3_link-down_ethtool.txt")},
	}
}

func readFixture(t testing.TB, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// addTree copies a real sysfs tree kept in a parser's testdata into files under dst.
func addTree(t testing.TB, files map[string]string, src, dst string) {
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		files[path.Join(dst, filepath.ToSlash(rel))] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// qemuVM is the Debian 12 live system under QEMU captured by this project:
// every tool present, an IPMI BMC simulator, no GPU, no /sys PCI tree.
func qemuVM(t testing.TB) machine {
	files := baseFiles("bee-qemu", "3026712") // 3 GB DIMM, 96 % visible
	files["/dev/ipmi0"] = ""
	files["/etc/bee-release"] = "BEE_VERSION=test\n"
	return machine{
		name: "qemu-vm",
		cmds: []fakeCmd{
			{argv: []string{"dmidecode", "-t", "0,1,2"}, stdout: fixture("dmidecode", "qemu/dmidecode-t012.txt")},
			{argv: []string{"dmidecode", "-t", "4"}, stdout: fixture("dmidecode", "qemu/dmidecode-t4.txt")},
			{argv: []string{"dmidecode", "-t", "17"}, stdout: fixture("dmidecode", "qemu/dmidecode-t17.txt")},
			// Constructed (see the dmidecode testdata PROVENANCE.md): the VM was captured before bee read type 16.
			{argv: []string{"dmidecode", "-t", "16"}, stdout: fixture("dmidecode", "qemu/dmidecode-t16.txt")},
			{argv: lsblkArgv, stdout: fixture("lsblk", "qemu/lsblk.json")},
			smart(t, "/dev/sda", "qemu/smartctl-sda.json"),
			smart(t, "/dev/nvme0", "qemu/smartctl-nvme0.json"),
			{argv: []string{"nvme", "id-ctrl", "/dev/nvme0", "-o", "json"}, stdout: fixture("nvme", "qemu/nvme-id-ctrl.json")},
			{argv: []string{"nvme", "smart-log", "/dev/nvme0", "-o", "json"}, stdout: fixture("nvme", "qemu/nvme-smart-log.json")},
			{argv: []string{"lspci", "-vmm", "-D"}, stdout: fixture("lspci", "qemu_lspci-vmm-D.txt")},
			{argv: []string{"ipmitool", "fru"}, stdout: fixture("ipmitool", "qemu_ipmitool-fru.txt"), exit: 1},
			{argv: []string{"ipmitool", "sdr", "elist"}, stdout: fixture("ipmitool", "qemu_ipmitool-sdr.txt")},
			// Constructed: the VM was captured before bee read the BMC's identity,
			// address and SEL, so these answer as a failing BMC command would.
			{argv: []string{"ipmitool", "mc", "info"}, stderr: qemuNotCaptured, exit: 1},
			{argv: []string{"ipmitool", "lan", "print"}, stderr: qemuNotCaptured, exit: 1},
			{argv: []string{"ipmitool", "sel", "info"}, stderr: qemuNotCaptured, exit: 1},
			{argv: []string{"ipmitool", "sel", "elist"}, stderr: qemuNotCaptured, exit: 1},
		},
		files: files,
	}
}

// noNVLink is nvidia-smi's answer about NVLinks on GPUs without any: nothing
// (a real A10's output).
var noNVLink = fakeCmd{argv: []string{"nvidia-smi", "nvlink", "-s"}, stdout: fixture("nvidiasmi", "nvlink/a10_nvlink-status_empty-output.txt")}

// qemuNotCaptured is the stderr of the qemu-vm's BMC commands that its capture lacks.
const qemuNotCaptured = "bee test: not in the QEMU capture (taken before bee's bmc collector)\n"

// bmcFixture is a real capture of ipmitool's BMC commands (internal/parse/ipmitool/testdata-bmc).
func bmcFixture(dir, name string) string {
	return filepath.Join(filepath.Dir(fixture("ipmitool", "x")), "..", "testdata-bmc", dir, name)
}

// dellR640 is a Dell PowerEdge R640 (real dmidecode, old util-linux lsblk with
// string booleans and human sizes), with no BMC device and no GPU tools.
func dellR640(t testing.TB) machine {
	dmi := fixture("dmidecode", "dell-poweredge-r640_glpi_2cpu_24slots_16empty.txt")
	files := baseFiles("r640-a12", "263066746") // 8 × 32 GB, 98 % visible
	return machine{
		name: "dell-r640",
		cmds: []fakeCmd{
			{argv: []string{"dmidecode", "-t", "0,1,2"}, stdout: dmi},
			{argv: []string{"dmidecode", "-t", "4"}, stdout: dmi},
			{argv: []string{"dmidecode", "-t", "17"}, stdout: dmi},
			{argv: []string{"dmidecode", "-t", "16"}, stdout: dmi},
			{argv: lsblkArgv, stdout: fixture("lsblk", "server_old-util-linux_string-bools_ocp-autoval.json")},
			smart(t, "/dev/sda", "sas-hdd_hitachi-h109060sesun600g_redacted.json"),
			smart(t, "/dev/nvme0", "nvme_micron-7450_redacted.json"),
			{argv: []string{"nvme", "id-ctrl", "/dev/nvme0", "-o", "json"}, stdout: fixture("nvme", "id-ctrl_samsung-pm983-mz1lb960hajq.json")},
			{argv: []string{"nvme", "smart-log", "/dev/nvme0", "-o", "json"}, stdout: fixture("nvme", "smart-log_nvme-cli-1.x_ocp-autoval.json")},
			{argv: []string{"lspci", "-vmm", "-D"}, stdout: fixture("lspci", "vmware-vm_vmm.txt")},
			// A MegaRAID controller read by storcli64 (real captures of a MegaRAID
			// server; Dell's PERC answers storcli the same way).
			{argv: []string{"storcli64", "/cALL", "show", "all", "J"}, stdout: fixture("raid", "storcli_megaraid-controllers-info_cALL-show-all-J.json")},
			{argv: []string{"storcli64", "/cALL/eALL/sALL", "show", "all", "J"}, stdout: fixture("raid", "storcli_megaraid-drives-info_eALL-sALL-show-all-J.json")},
		},
		files: files,
	}
}

// withCmd returns m with the command of the same argv replaced (or added).
func (m machine) withCmd(c fakeCmd) machine {
	out := m
	out.cmds = nil
	replaced := false
	for _, x := range m.cmds {
		if strings.Join(x.argv, "\x00") == strings.Join(c.argv, "\x00") {
			out.cmds = append(out.cmds, c)
			replaced = true
			continue
		}
		out.cmds = append(out.cmds, x)
	}
	if !replaced {
		out.cmds = append(out.cmds, c)
	}
	return out
}

// sleepy makes every command take d (benchmarks: realistic tool latencies).
func (m machine) withLatency(lat func(argv []string) time.Duration) machine {
	out := m
	out.cmds = make([]fakeCmd, len(m.cmds))
	for i, c := range m.cmds {
		c.sleep = lat(c.argv)
		out.cmds[i] = c
	}
	return out
}
