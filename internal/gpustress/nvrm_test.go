package gpustress

import "testing"

// The first lines below are /proc/driver/nvidia/version as published (verbatim)
// in public installation guides and bug reports; bee's fixtures hold no
// capture of that file yet.
func TestParseDriverVersion(t *testing.T) {
	cases := map[string]string{
		"NVRM version: NVIDIA UNIX x86_64 Kernel Module  384.130  Wed Mar 21 03:37:26 PDT 2018\nGCC version:  gcc version 5.4.0 20160609 (Ubuntu 5.4.0-6ubuntu1~16.04.10)\n":                                                 "384.130",
		"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.195.03  Release Build  (dvs-builder@U22-I3-H04-03-1)  Sat Sep 20 00:47:16 UTC 2025\nGCC version:  gcc version 12.3.0 (Ubuntu 12.3.0-1ubuntu1~22.04)\n": "570.195.03",
		"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.142  Release Build  (dvs-builder@U22-I3-AD05-51-5)  Tue Mar  3 19:14:46 UTC 2026\n":                                                                    "580.142",
		"NVRM version: NVIDIA UNIX Kernel Module for aarch64  34.1.1  Release Build  ":                                                                                                                                       "34.1.1",
		"": "",
		"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64 malformed\n": "",
		"GCC version:  gcc version 12.3.0\n":                                  "",
	}
	for in, want := range cases {
		if got := ParseDriverVersion([]byte(in)); got != want {
			t.Errorf("ParseDriverVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseDriverVersion: any input gives "" or a dotted number.
func FuzzParseDriverVersion(f *testing.F) {
	f.Add([]byte("NVRM version: NVIDIA UNIX x86_64 Kernel Module  384.130  Wed Mar 21 03:37:26 PDT 2018\n"))
	f.Add([]byte("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.195.03  Release Build\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if v := ParseDriverVersion(data); v != "" && !reDriverVersion.MatchString(v) {
			t.Errorf("ParseDriverVersion = %q", v)
		}
	})
}
