package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Reading the store back, for `bee report s3://bucket/prefix` (docs/report.md).

// WithURL is c with the bucket and prefix of s3://bucket[/prefix]; the endpoint,
// region, credentials and CA stay.
func (c Config) WithURL(s string) (Config, error) {
	if err := c.setURL(s); err != nil {
		return c, err
	}
	return c, nil
}

// Object is one object of the store: its full key and size, and the time the store
// last wrote it.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
}

// listTimeout bounds each page of a listing (listPage keys); a variable for tests.
var listTimeout = 60 * time.Second

// listPage is the number of keys asked for per page (a variable for tests).
var listPage int32 = 1000

// maxListed bounds a listing: a prefix holding more objects is not a rack.
const maxListed = 1_000_000

// List returns every object under the configured prefix (the whole bucket without
// one), in the store's (key) order, each page within its own deadline.
func (st *S3Store) List(ctx context.Context) ([]Object, error) {
	var out []Object
	in := &s3.ListObjectsV2Input{Bucket: aws.String(st.cfg.Bucket), MaxKeys: aws.Int32(listPage)}
	if st.cfg.Prefix != "" {
		in.Prefix = aws.String(st.cfg.Prefix + "/")
	}
	for {
		cctx, cancel := context.WithTimeout(ctx, listTimeout)
		page, err := st.client.ListObjectsV2(cctx, in)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("store %s: no answer to the listing within %s", st.cfg.Target(), listTimeout)
			}
			return nil, st.explain(err)
		}
		for _, o := range page.Contents {
			if o.Key == nil {
				continue
			}
			ob := Object{Key: *o.Key, Size: aws.ToInt64(o.Size)}
			if o.LastModified != nil {
				ob.Modified = *o.LastModified
			}
			out = append(out, ob)
		}
		if len(out) > maxListed {
			return nil, fmt.Errorf("store %s: more than %d objects under the prefix; name a narrower prefix", st.cfg.Target(), maxListed)
		}
		if !aws.ToBool(page.IsTruncated) || page.NextContinuationToken == nil {
			return out, nil
		}
		in.ContinuationToken = page.NextContinuationToken
	}
}

// ErrTooLarge is returned by Get for an object over the size cap.
var ErrTooLarge = errors.New("larger than the size cap")

// Get streams the object key (a full key, as List returns it) into w: at most max
// bytes (more is ErrTooLarge, and w then holds a cut copy that the caller throws
// away), within timeout for the whole request. It returns the bytes written.
func (st *S3Store) Get(ctx context.Context, key string, max int64, timeout time.Duration, w io.Writer) (int64, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := st.client.GetObject(cctx, &s3.GetObjectInput{Bucket: aws.String(st.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		return 0, st.readErr(ctx, err, timeout)
	}
	defer out.Body.Close()
	if n := aws.ToInt64(out.ContentLength); n > max {
		return 0, fmt.Errorf("%d bytes: %w of %d bytes", n, ErrTooLarge, max)
	}
	n, err := io.Copy(w, io.LimitReader(out.Body, max+1))
	if err != nil {
		return n, st.readErr(ctx, err, timeout)
	}
	if n > max {
		return n, fmt.Errorf("more than %d bytes: %w", max, ErrTooLarge)
	}
	if cl := out.ContentLength; cl != nil && *cl != n {
		return n, fmt.Errorf("store %s: %s cut short (%d of %d bytes)", st.cfg.Target(), key, n, *cl)
	}
	return n, nil
}

func (st *S3Store) readErr(ctx context.Context, err error, timeout time.Duration) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("store %s: not read within %s", st.cfg.Target(), timeout)
	}
	e := st.explain(err)
	// explain speaks of uploads; here nothing was being stored.
	return errors.New(strings.TrimSuffix(e.Error(), "; the object is not stored"))
}

// configFile is the config file the settings were read from (LoadConfig records it
// first in Sources), for messages that say what to fix; DefaultConfigFile otherwise.
func (c Config) configFile() string {
	for _, s := range c.Sources {
		if !strings.HasPrefix(s, "kernel command line") {
			return s
		}
	}
	return DefaultConfigFile
}
