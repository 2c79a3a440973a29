package sat

import (
	"context"
	"flag"
)

type storageKind struct{}

func (k *storageKind) about() string                     { return "" }
func (k *storageKind) flags(fs *flag.FlagSet)            {}
func (k *storageKind) validate() error                   { return nil }
func (k *storageKind) options() map[string]any           { return map[string]any{} }
func (k *storageKind) run(ctx context.Context, s *session) {}
func (k *storageKind) results() any                      { return nil }
func (k *storageKind) summaryLines() []string            { return nil }
