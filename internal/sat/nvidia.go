package sat

import (
	"context"
	"flag"
)

type nvidiaKind struct{}

func (k *nvidiaKind) about() string                       { return "" }
func (k *nvidiaKind) flags(fs *flag.FlagSet)              {}
func (k *nvidiaKind) validate() error                     { return nil }
func (k *nvidiaKind) options() map[string]any             { return map[string]any{} }
func (k *nvidiaKind) run(ctx context.Context, s *session) {}
func (k *nvidiaKind) results() any                        { return nil }
func (k *nvidiaKind) summaryLines() []string              { return nil }
