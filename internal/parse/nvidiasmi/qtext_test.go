package nvidiasmi

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseQTextLambdaA6000(t *testing.T) {
	got, err := ParseQText(readFixture(t, "lambda-vector_2x-rtx-a6000_q.txt"))
	if err != nil {
		t.Fatal(err)
	}
	gpu := func(bus, serial, uuid string) TextGPU {
		return TextGPU{
			PCIBusID:         bus,
			ProductName:      "NVIDIA RTX A6000",
			SerialNumber:     serial,
			UUID:             uuid,
			VBIOSVersion:     "94.02.5C.00.02",
			BoardPartNumber:  "900-5G133-1700-000",
			MemoryTotalBytes: ptr(49140 * mib),
			ECCMode:          "Disabled",
			// Retired Pages all N/A: unknown.
			RemappedRowsCorrectable:   ptr(int64(0)),
			RemappedRowsUncorrectable: ptr(int64(0)),
			RemappedRowsPending:       ptr(false),
			RemappedRowsFailure:       ptr(false),
		}
	}
	want := []TextGPU{
		gpu("0000:2e:00.0", "1651922015056", "GPU-a662c2a9-6ad4-e58c-431d-6bff0f73e2ba"),
		gpu("0000:41:00.0", "1651922014074", "GPU-3bf57054-f70b-9086-2a7e-5dddb0cc6871"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseQText mismatch (-want +got):\n%s", diff)
	}
}

// Driver 460 text: "Ecc Mode" spelt differently, Remapped Rows a plain "N/A" value.
func TestParseQTextSupermicro8xRTX5000(t *testing.T) {
	got, err := ParseQText(readFixture(t, "supermicro-sys-4029gp-trt2_8x-quadro-rtx5000_q.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ids := [][2]string{
		{"0000:1a:00.0", "1324620064176"}, {"0000:1c:00.0", "1324820005144"},
		{"0000:1d:00.0", "1324820004977"}, {"0000:1e:00.0", "1324820004887"},
		{"0000:3d:00.0", "1324820004884"}, {"0000:3f:00.0", "1324620063492"},
		{"0000:40:00.0", "1324820005139"}, {"0000:41:00.0", "1324820004573"},
	}
	if len(got) != len(ids) {
		t.Fatalf("got %d GPUs, want %d", len(got), len(ids))
	}
	for i, id := range ids {
		g := got[i]
		if g.PCIBusID != id[0] || g.SerialNumber != id[1] {
			t.Errorf("GPU %d = %s %s, want %s %s", i, g.PCIBusID, g.SerialNumber, id[0], id[1])
		}
		if g.ProductName != "Quadro RTX 5000" || g.ECCMode != "Disabled" || g.BoardPartNumber != "900-5G180-1700-000" {
			t.Errorf("GPU %d = %q %q %q", i, g.ProductName, g.ECCMode, g.BoardPartNumber)
		}
		if deref(g.MemoryTotalBytes) != 16125*mib {
			t.Errorf("GPU %d memory = %d", i, deref(g.MemoryTotalBytes))
		}
		if deref(g.RetiredPagesSBE) != 0 || deref(g.RetiredPagesDBE) != 0 || g.RetiredPagesPending == nil || *g.RetiredPagesPending {
			t.Errorf("GPU %d retired = %v %v %v", i, g.RetiredPagesSBE, g.RetiredPagesDBE, g.RetiredPagesPending)
		}
		if g.RemappedRowsCorrectable != nil || g.RemappedRowsPending != nil {
			t.Errorf("GPU %d remapped rows must be unknown", i)
		}
	}
	if got[0].UUID != "GPU-a4bc57af-1640-3554-56c7-7b1420ec525e" || got[7].UUID != "GPU-46e5b806-54c5-fd55-c3dd-c7b4cb7e8ae6" {
		t.Errorf("UUIDs = %q, %q", got[0].UUID, got[7].UUID)
	}
}

// `nvidia-smi -q -d PAGE_RETIREMENT` on an 8-GPU Azure VM: only the Retired Pages section.
func TestParseQTextPageRetirement(t *testing.T) {
	got, err := ParseQText(readFixture(t, "azure-8gpu_q-d-page_retirement.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []TextGPU
	for _, bus := range []string{"0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008"} {
		want = append(want, TextGPU{
			PCIBusID:            bus + ":00:00.0",
			RetiredPagesSBE:     ptr(int64(0)),
			RetiredPagesDBE:     ptr(int64(0)),
			RetiredPagesPending: ptr(false),
		})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseQText mismatch (-want +got):\n%s", diff)
	}
}

func TestParseQTextVariants(t *testing.T) {
	// Older drivers: "Pending" under Retired Pages, "GPU Part Number" only.
	old := `
==============NVSMI LOG==============

Driver Version                      : 384.81

Attached GPUs                       : 1
GPU 00000000:86:00.0
    Product Name                    : Tesla P40
    GPU Part Number                 : 900-2G610-0000-000
    Retired Pages
        Single Bit ECC              : 2
        Double Bit ECC              : 1
        Pending                     : Yes
`
	got, err := ParseQText([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	want := []TextGPU{{
		PCIBusID:            "0000:86:00.0",
		ProductName:         "Tesla P40",
		BoardPartNumber:     "900-2G610-0000-000",
		RetiredPagesSBE:     ptr(int64(2)),
		RetiredPagesDBE:     ptr(int64(1)),
		RetiredPagesPending: ptr(true),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestParseQTextBadInput(t *testing.T) {
	if _, err := ParseQText(readFixture(t, "error_driver-not-loaded.txt")); !errors.Is(err, ErrDriverNotLoaded) {
		t.Errorf("err = %v, want ErrDriverNotLoaded", err)
	}
	for _, in := range []string{"", "garbage\n", "<html></html>", string(readFixture(t, "tesla-t4_q-x_v11.xml"))} {
		if g, err := ParseQText([]byte(in)); err == nil {
			t.Errorf("ParseQText(%.20q) = %v, want an error", in, g)
		}
	}
}
