/*
 * A fake CUDA driver library for internal/gpustress's tests (cuda_fakelib_test.go):
 * it exports the cu* functions bee-gpu-stress loads from libcuda.so.1 with purego,
 * so the real loading, calling conventions, error naming and the bandwidth
 * arithmetic run without a GPU. One device, or up to MAXD (knob "devices"), each
 * with its own primary context. "Device memory" is malloc'd host memory (a
 * CUdeviceptr is its address), owned by the device whose context was current at
 * cuMemAlloc; copies are memcpy. Time is a virtual
 * clock in milliseconds that each copy advances by its size at the configured
 * rate, and that cuEventRecord reads, so measured rates are exact.
 *
 * Knobs, called from the test through purego:
 *   bee_fake_set("htod_gbps" | "dtoh_gbps" | "free_mb" | "devices", value)
 *   bee_fake_fail("cuMemcpyDtoH_v2", 700)  the named call returns that code ("" clears)
 *   bee_fake_corrupt(1)                    device-to-host copies flip one bit (2: peer copies do)
 *   bee_fake_peer(src, dst, can, gbps)     cuDeviceCanAccessPeer(src, dst) answers can; copies
 *                                          src -> dst run at gbps (0: 50 GB/s)
 *   bee_fake_fail_peer(src, dst, code, n)  cuMemcpyPeer src -> dst fails with code after n copies
 *   bee_fake_live()                        live device + pinned allocations, events, enabled
 *                                          peer accesses and retained contexts
 *   bee_fake_pinned_copies()               copies whose host side was cuMemHostAlloc memory
 *   bee_fake_peer_copies(direct)           peer copies (direct: those with access enabled from
 *                                          the source's context to the destination's)
 *
 * Built by the test: gcc -shared -fPIC -o libcuda-fake.so fakecuda.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static double clock_ms, htod_gbps = 25, dtoh_gbps = 25;
static size_t free_bytes = 64u << 20;
static char fail_call[64];
static int fail_code, corrupt;
static long live, pinned_copies, peer_copies, peer_direct;

#define MAXD 4
static int ndev = 1;
static int can_peer[MAXD][MAXD], peer_on[MAXD][MAXD], peer_fail_code[MAXD][MAXD], peer_fail_after[MAXD][MAXD], peer_done[MAXD][MAXD];
static double peer_gbps[MAXD][MAXD];
static int retained[MAXD];
static int ctx_tokens[MAXD];
static __thread int cur = -1; /* the device whose context is current on this thread */

/* kind: -1 pinned host memory, else the device that owns it */
#define PINNED (-1)
#define MAXA 256
static struct { char *p; size_t n; int kind; } allocs[MAXA];

static int failing(const char *call) { return fail_call[0] && strcmp(call, fail_call) == 0; }
#define FAILPOINT(name) do { if (failing(name)) return fail_code; } while (0)

int bee_fake_set(const char *key, double v) {
	pthread_mutex_lock(&mu);
	int ok = 1;
	if (!strcmp(key, "htod_gbps")) htod_gbps = v;
	else if (!strcmp(key, "dtoh_gbps")) dtoh_gbps = v;
	else if (!strcmp(key, "free_mb")) free_bytes = (size_t)v << 20;
	else if (!strcmp(key, "devices") && v >= 1 && v <= MAXD) {
		ndev = (int)v;
		memset(can_peer, 0, sizeof can_peer);
		memset(peer_gbps, 0, sizeof peer_gbps);
		memset(peer_fail_code, 0, sizeof peer_fail_code);
		memset(peer_done, 0, sizeof peer_done);
		peer_copies = peer_direct = 0;
	} else ok = 0;
	pthread_mutex_unlock(&mu);
	return ok;
}
void bee_fake_fail(const char *call, int code) {
	strncpy(fail_call, call, sizeof fail_call - 1);
	fail_code = code;
}
void bee_fake_corrupt(int on) { corrupt = on; }
static int okdev(int d) { return d >= 0 && d < ndev; }
int bee_fake_peer(int src, int dst, int can, double gbps) {
	if (!okdev(src) || !okdev(dst)) return 0;
	can_peer[src][dst] = can;
	peer_gbps[src][dst] = gbps;
	return 1;
}
int bee_fake_fail_peer(int src, int dst, int code, int after) {
	if (!okdev(src) || !okdev(dst)) return 0;
	peer_fail_code[src][dst] = code;
	peer_fail_after[src][dst] = after;
	return 1;
}
long bee_fake_peer_copies(int direct) { return direct ? peer_direct : peer_copies; }
long bee_fake_live(void) { return live; }
long bee_fake_pinned_copies(void) { return pinned_copies; }

static int track(char *p, size_t n, int kind) {
	for (int i = 0; i < MAXA; i++)
		if (!allocs[i].p) {
			allocs[i].p = p; allocs[i].n = n; allocs[i].kind = kind;
			live++;
			return 1;
		}
	return 0;
}
static int untrack(char *p, int kind) {
	for (int i = 0; i < MAXA; i++)
		if (allocs[i].p == p && allocs[i].kind == kind) {
			allocs[i].p = NULL;
			live--;
			return 1;
		}
	return 0;
}
/* within: [p, p+n) lies in one allocation of that kind */
static int within(const char *p, size_t n, int kind) {
	for (int i = 0; i < MAXA; i++)
		if (allocs[i].p && allocs[i].kind == kind && p >= allocs[i].p && p + n <= allocs[i].p + allocs[i].n)
			return 1;
	return 0;
}

CUresult cuInit(unsigned flags) { FAILPOINT("cuInit"); return flags ? 1 : 0; }
CUresult cuDriverGetVersion(int *v) { *v = 12040; return 0; }
CUresult cuDeviceGetCount(int *n) { FAILPOINT("cuDeviceGetCount"); *n = ndev; return 0; }
CUresult cuDeviceGet(int *d, int ordinal) { if (!okdev(ordinal)) return 101; *d = ordinal; return 0; }
CUresult cuDeviceGetName(char *name, int n, int dev) {
	if (!okdev(dev) || n < 1) return 1;
	strncpy(name, "Fake CUDA Library GPU", n - 1);
	name[n - 1] = 0;
	return 0;
}
CUresult cuDeviceGetUuid_v2(unsigned char *u, int dev) {
	if (!okdev(dev)) return 101;
	for (int i = 0; i < 16; i++) u[i] = (unsigned char)(0xa0 + i);
	u[15] = (unsigned char)(u[15] + dev);
	return 0;
}
CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
	if (!okdev(dev)) return 101;
	switch (attr) {
	case 16: *v = 4; return 0;     /* SMs */
	case 33: *v = 0x1b + dev; return 0;  /* PCI bus */
	case 34: *v = 0; return 0;     /* PCI device */
	case 50: *v = 0; return 0;     /* PCI domain */
	case 75: *v = 9; return 0;
	case 76: *v = 0; return 0;
	case 39: *v = 2048; return 0;
	}
	return 1;
}
CUresult cuDevicePrimaryCtxSetFlags_v2(int dev, unsigned flags) { (void)flags; return okdev(dev) ? 0 : 101; }
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) {
	FAILPOINT("cuDevicePrimaryCtxRetain");
	if (!okdev(dev)) return 101;
	pthread_mutex_lock(&mu);
	retained[dev]++;
	live++;
	pthread_mutex_unlock(&mu);
	*ctx = &ctx_tokens[dev];
	return 0;
}
CUresult cuDevicePrimaryCtxRelease_v2(int dev) {
	if (!okdev(dev) || retained[dev] == 0) return 101;
	pthread_mutex_lock(&mu);
	retained[dev]--;
	live--;
	pthread_mutex_unlock(&mu);
	return 0;
}
/* ctxdev: the device of a context handle, -1 when it is none */
static int ctxdev(const void *ctx) {
	for (int d = 0; d < ndev; d++)
		if (ctx == &ctx_tokens[d] && retained[d] > 0) return d;
	return -1;
}
CUresult cuCtxSetCurrent(void *ctx) {
	int d = ctxdev(ctx);
	if (d < 0) return 201;
	cur = d;
	return 0;
}
CUresult cuCtxSynchronize(void) { FAILPOINT("cuCtxSynchronize"); return 0; }
CUresult cuMemGetInfo_v2(size_t *f, size_t *t) { *f = free_bytes; *t = free_bytes + (free_bytes >> 3); return 0; }
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n) {
	FAILPOINT("cuMemAlloc_v2");
	if (cur < 0) return 201;
	char *m = n ? malloc(n) : NULL;
	if (!m) return 2;
	if (!track(m, n, cur)) { free(m); return 2; }
	*p = (CUdeviceptr)(uintptr_t)m;
	return 0;
}
CUresult cuMemFree_v2(CUdeviceptr p) {
	if (cur < 0 || !untrack((char *)(uintptr_t)p, cur)) return 1;
	free((void *)(uintptr_t)p);
	return 0;
}
CUresult cuMemsetD32_v2(CUdeviceptr p, unsigned v, size_t n) {
	if (cur < 0 || !within((char *)(uintptr_t)p, n * 4, cur)) return 1;
	for (size_t i = 0; i < n; i++) memcpy((char *)(uintptr_t)p + 4 * i, &v, 4);
	return 0;
}
CUresult cuMemHostAlloc(void **pp, size_t n, unsigned flags) {
	FAILPOINT("cuMemHostAlloc");
	if (flags) return 1;
	char *m = n ? malloc(n) : NULL;
	if (!m) return 2;
	if (!track(m, n, PINNED)) { free(m); return 2; }
	*pp = m;
	return 0;
}
CUresult cuMemFreeHost(void *p) {
	if (!untrack(p, PINNED)) return 1;
	free(p);
	return 0;
}
static void advance(size_t n, double gbps) { clock_ms += (double)n / (gbps * 1e6); }
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) {
	FAILPOINT("cuMemcpyHtoD_v2");
	if (cur < 0 || !within((char *)(uintptr_t)dst, n, cur)) return 1;
	if (within(src, n, PINNED)) pinned_copies++;
	memcpy((void *)(uintptr_t)dst, src, n);
	advance(n, htod_gbps);
	return 0;
}
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) {
	FAILPOINT("cuMemcpyDtoH_v2");
	if (cur < 0 || !within((char *)(uintptr_t)src, n, cur)) return 1;
	if (within(dst, n, PINNED)) pinned_copies++;
	memcpy(dst, (void *)(uintptr_t)src, n);
	if (corrupt == 1 && n) ((unsigned char *)dst)[n / 2] ^= 0x01;
	advance(n, dtoh_gbps);
	return 0;
}
CUresult cuDeviceCanAccessPeer(int *can, int dev, int peer) {
	FAILPOINT("cuDeviceCanAccessPeer");
	if (!okdev(dev) || !okdev(peer)) return 101;
	*can = dev != peer && can_peer[dev][peer];
	return 0;
}
CUresult cuCtxEnablePeerAccess(void *peer, unsigned flags) {
	FAILPOINT("cuCtxEnablePeerAccess");
	int p = ctxdev(peer);
	if (cur < 0) return 201;
	if (p < 0 || flags) return 1;
	if (p == cur || !can_peer[cur][p]) return 217; /* CUDA_ERROR_PEER_ACCESS_UNSUPPORTED */
	if (peer_on[cur][p]) return 704;               /* CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED */
	peer_on[cur][p] = 1;
	live++;
	return 0;
}
CUresult cuCtxDisablePeerAccess(void *peer) {
	int p = ctxdev(peer);
	if (cur < 0) return 201;
	if (p < 0) return 1;
	if (!peer_on[cur][p]) return 705; /* CUDA_ERROR_PEER_ACCESS_NOT_ENABLED */
	peer_on[cur][p] = 0;
	live--;
	return 0;
}
/* Like the real driver, a copy between contexts without peer access works (staged
 * through the host); bee_fake_peer_copies(1) counts only the direct ones. */
CUresult cuMemcpyPeer(CUdeviceptr dst, void *dstCtx, CUdeviceptr src, void *srcCtx, size_t n) {
	FAILPOINT("cuMemcpyPeer");
	int s = ctxdev(srcCtx), d = ctxdev(dstCtx);
	if (s < 0 || d < 0) return 201;
	if (!within((char *)(uintptr_t)src, n, s) || !within((char *)(uintptr_t)dst, n, d)) return 1;
	if (peer_fail_code[s][d] && peer_done[s][d] >= peer_fail_after[s][d]) return peer_fail_code[s][d];
	peer_done[s][d]++;
	peer_copies++;
	if (peer_on[s][d]) peer_direct++;
	memcpy((void *)(uintptr_t)dst, (void *)(uintptr_t)src, n);
	if (corrupt == 2 && n) ((unsigned char *)(uintptr_t)dst)[n - 8] ^= 0x80;
	advance(n, peer_gbps[s][d] > 0 ? peer_gbps[s][d] : 50);
	return 0;
}
static int module_token, function_token;
CUresult cuModuleLoadDataEx(void **mod, const void *image, unsigned n, int *opts, void **vals) {
	if (!image) return 1;
	if (failing("cuModuleLoadDataEx")) {
		char *buf = NULL;
		size_t size = 0;
		int size_at = -1;
		for (unsigned i = 0; i < n; i++) {
			if (opts[i] == 5) buf = vals[i];
			if (opts[i] == 6) { size = (size_t)(uintptr_t)vals[i]; size_at = (int)i; }
		}
		const char *msg = "ptxas application ptx input, line 1; fatal   : fake JIT failure";
		if (buf && size > strlen(msg) && size_at >= 0) {
			strcpy(buf, msg);
			vals[size_at] = (void *)(uintptr_t)(strlen(msg) + 1);
		}
		return fail_code;
	}
	*mod = &module_token;
	return 0;
}
CUresult cuModuleUnload(void *mod) { return mod == &module_token ? 0 : 400; }
CUresult cuModuleGetFunction(void **fn, void *mod, const char *name) {
	if (mod != &module_token) return 400;
	if (strcmp(name, "bee_mem") && strcmp(name, "bee_fma")) return 500;
	*fn = &function_token;
	return 0;
}
CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int *n, void *fn, int block, size_t smem) {
	(void)smem;
	if (fn != &function_token || block <= 0) return 1;
	*n = 2;
	return 0;
}
/* Kernels do nothing: a memory test against this library stops with MEM_VERIFY_INCOMPLETE. */
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
		unsigned smem, void *stream, void **params, void **extra) {
	(void)gx; (void)gy; (void)gz; (void)bx; (void)by; (void)bz; (void)smem; (void)stream; (void)extra;
	FAILPOINT("cuLaunchKernel");
	return f == &function_token && params ? 0 : 400;
}
struct event { double t; int recorded; };
CUresult cuEventCreate(void **ev, unsigned flags) {
	(void)flags;
	struct event *e = calloc(1, sizeof *e);
	if (!e) return 2;
	live++;
	*ev = e;
	return 0;
}
CUresult cuEventRecord(void *ev, void *stream) {
	if (!ev || stream) return 400;
	((struct event *)ev)->t = clock_ms;
	((struct event *)ev)->recorded = 1;
	return 0;
}
CUresult cuEventElapsedTime(float *ms, void *a, void *b) {
	struct event *x = a, *y = b;
	if (!x || !y) return 400;
	if (!x->recorded || !y->recorded) return 600; /* CUDA_ERROR_NOT_READY */
	*ms = (float)(y->t - x->t);
	return 0;
}
CUresult cuEventDestroy_v2(void *ev) {
	if (!ev) return 400;
	free(ev);
	live--;
	return 0;
}
static const struct { int code; const char *name, *desc; } names[] = {
	{1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
	{2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
	{218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
	{700, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
	{704, "CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED", "peer access is already enabled"},
	{705, "CUDA_ERROR_PEER_ACCESS_NOT_ENABLED", "peer access has not been enabled"},
};
CUresult cuGetErrorName(int code, const char **s) {
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == code) { *s = names[i].name; return 0; }
	return 1;
}
CUresult cuGetErrorString(int code, const char **s) {
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == code) { *s = names[i].desc; return 0; }
	return 1;
}
