//go:build !linux

package gpustress

import "github.com/beeaudit/bee/internal/gpureport"

func openLibCUDA(path string) (driver, *gpureport.Error) {
	return nil, &gpureport.Error{Code: gpureport.CodeLibCUDANotFound, Message: "bee-gpu-stress runs on Linux only"}
}
