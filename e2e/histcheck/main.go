// histcheck: a client workload shaped like Kubernetes' use of etcd, recorded and checked.
//
// Clients read keys and write them back guarded by the ModRevision they read (as the API server's GuaranteedUpdate
// does), create keys that must not exist, delete what they read, and list the prefix; a watcher follows the prefix.
// When stdin closes (or -duration passes) the workload stops and the history is checked: (a) linearizable against
// a key-value model with revisions (porcupine), (b) each watcher saw strictly increasing revisions and every write
// in its range, until a compaction cut it off, (c) no client saw a revision go back, (d) every acknowledged write is
// there at the end. One JSON line on stdout says what held; the exit code is 0 only when all did.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.uber.org/zap"
	"google.golang.org/grpc"
)

type verdict struct {
	Operations         int      `json:"operations"`
	Writes             int      `json:"acknowledgedWrites"`
	Unknown            int      `json:"unknownWrites"`
	FailedReads        int      `json:"failedReads"`
	WatchEvents        int      `json:"watchEvents"`
	Linearizable       string   `json:"linearizable"` // ok, illegal, unknown (the checker ran out of time)
	WatchOK            bool     `json:"watchOk"`
	RevisionsMonotonic bool     `json:"revisionsMonotonic"`
	AcknowledgedKept   bool     `json:"acknowledgedKept"`
	Problems           []string `json:"problems"`
}

type event struct {
	Rev   int64
	Key   int
	Put   bool
	Value string
}

type recorder struct {
	mu       sync.Mutex
	ops      []porcupine.Operation
	start    time.Time
	perClient map[int][]int64
	failedReads int
}

func (r *recorder) now() int64 { return time.Since(r.start).Nanoseconds() }

func (r *recorder) add(client int, in input, call int64, out output, ret int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	if !out.Unknown {
		r.perClient[client] = append(r.perClient[client], out.Rev)
	}
}

func main() {
	endpoints := flag.String("endpoints", "", "comma-separated client URLs")
	cacert := flag.String("cacert", "", "CA of the members' certificates")
	cert := flag.String("cert", "", "client certificate")
	key := flag.String("key", "", "client key")
	prefix := flag.String("prefix", "/histcheck/", "the keys' prefix; use a new one per run")
	clients := flag.Int("clients", 4, "concurrent clients")
	keys := flag.Int("keys", 6, "keys (at most 8): few, so clients contend")
	duration := flag.Duration("duration", 0, "stop after this long (0: when stdin closes)")
	rate := flag.Duration("pause", 20*time.Millisecond, "pause between a client's operations")
	checkTimeout := flag.Duration("check-timeout", 2*time.Minute, "time the linearizability check may take")
	history := flag.String("history", "", "write the history (JSON) here")
	hosts := flag.String("hosts", "", "a hosts file that resolves the members' names (the sandbox's)")
	flag.Parse()
	if *keys > maxKeys {
		*keys = maxKeys
	}
	cfg := clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 3 * time.Second, Logger: zap.NewNop()}
	if *hosts != "" {
		names := readHosts(*hosts)
		// Only the TCP address changes: TLS still checks the name the endpoint gives.
		cfg.DialOptions = append(cfg.DialOptions, grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			if host, port, err := net.SplitHostPort(addr); err == nil {
				if ip, ok := names[host]; ok {
					addr = net.JoinHostPort(ip, port)
				}
			}
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		}))
	}
	if *cacert != "" {
		info := transport.TLSInfo{TrustedCAFile: *cacert, CertFile: *cert, KeyFile: *key}
		tc, err := info.ClientConfig()
		if err != nil {
			fail("tls: %v", err)
		}
		tc.MinVersion = tls.VersionTLS12
		cfg.TLS = tc
	}

	ctx, stop := context.WithCancel(context.Background())
	if *duration > 0 {
		go func() { time.Sleep(*duration); stop() }()
	} else {
		go func() { _, _ = io.Copy(io.Discard, os.Stdin); stop() }()
	}
	rec := &recorder{start: time.Now(), perClient: map[int][]int64{}}
	name := func(k int) string { return fmt.Sprintf("%sk%d", *prefix, k) }

	// The watcher starts first, at the revision before any of this workload's writes.
	wc := mustClient(cfg)
	startRev := mustRev(wc, name(0))
	var events []event
	var watchCompactedAt int64
	var watchErr error // kept for the verdict; a watch that is cut off resumes instead
	watchDone := make(chan struct{})
	wctx, wstop := context.WithCancel(context.Background())
	go func() {
		defer close(watchDone)
		// As a watch cache would: a watch cut off (its member lost the leader, or went away) resumes after the last
		// revision it saw; only a compaction ends it.
		next := startRev + 1
		for wctx.Err() == nil {
			cut := false
			actx, acancel := context.WithCancel(wctx)
			for resp := range wc.Watch(clientv3.WithRequireLeader(actx), *prefix, clientv3.WithPrefix(), clientv3.WithRev(next)) {
				if resp.CompactRevision != 0 {
					watchCompactedAt = resp.CompactRevision
					acancel()
					return
				}
				if err := resp.Err(); err != nil {
					if err == rpctypes.ErrCompacted {
						watchCompactedAt = resp.CompactRevision
						acancel()
						return
					}
					cut = true
					break
				}
				for _, e := range resp.Events {
					var k int
					fmt.Sscanf(strings.TrimPrefix(string(e.Kv.Key), *prefix), "k%d", &k)
					events = append(events, event{Rev: e.Kv.ModRevision, Key: k, Put: e.Type == mvccpb.PUT, Value: string(e.Kv.Value)})
					next = e.Kv.ModRevision + 1
				}
			}
			acancel()
			if cut || wctx.Err() == nil {
				time.Sleep(200 * time.Millisecond)
			}
		}
	}()

	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			cl := mustClient(cfg)
			defer cl.Close()
			rnd := rand.New(rand.NewSource(int64(id) + time.Now().UnixNano()))
			known := map[int]kv{} // what this client last read of each key
			seq := 0
			for ctx.Err() == nil {
				k := rnd.Intn(*keys)
				var in input
				last, read := known[k]
				switch r := rnd.Intn(10); {
				case !read || r < 3:
					in = input{Kind: opGet, Key: k}
				case r < 4:
					in = input{Kind: opRange}
				case last.Exists && r < 5:
					in = input{Kind: opDelete, Key: k, Expect: last.Mod}
				default:
					seq++
					in = input{Kind: opPut, Key: k, Value: fmt.Sprintf("c%d-%d", id, seq), Expect: last.Mod}
				}
				call := rec.now()
				out, ok := do(cl, name, in, *keys)
				ret := rec.now()
				switch {
				case !ok && (in.Kind == opGet || in.Kind == opRange):
					rec.mu.Lock()
					rec.failedReads++
					rec.mu.Unlock() // a failed read changed nothing: left out
				case !ok:
					rec.add(id, in, call, output{Unknown: true}, math.MaxInt64)
					delete(known, in.Key) // read again before writing it
				default:
					rec.add(id, in, call, out, ret)
					switch {
					case in.Kind == opGet || (!out.Succeeded && in.Kind != opRange):
						known[in.Key] = out.Current
					case in.Kind == opRange:
						for i := 0; i < *keys; i++ {
							known[i] = out.All[i]
						}
					case in.Kind == opPut:
						known[in.Key] = kv{Exists: true, Value: in.Value, Mod: out.Rev}
					default:
						known[in.Key] = kv{}
					}
				}
				time.Sleep(*rate)
			}
		}(c)
	}
	wg.Wait()

	// The end: one more read of everything, by a new client (and the watcher catches up to it).
	fc := mustClient(cfg)
	var final output
	var finalOK bool
	for i := 0; i < 30 && !finalOK; i++ {
		call := rec.now()
		final, finalOK = do(fc, name, input{Kind: opRange}, *keys)
		if finalOK {
			rec.add(*clients, input{Kind: opRange}, call, final, rec.now())
		} else {
			time.Sleep(time.Second)
		}
	}
	if finalOK {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) && watchCompactedAt == 0 && watchErr == nil {
			if len(events) > 0 && events[len(events)-1].Rev >= lastWrite(rec.ops) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	wstop()
	<-watchDone

	v := check(rec, events, startRev, watchCompactedAt, watchErr, final, finalOK, *checkTimeout)
	if *history != "" {
		if f, err := os.Create(*history); err == nil {
			_ = json.NewEncoder(f).Encode(map[string]interface{}{"operations": rec.ops, "events": events})
			f.Close()
		}
	}
	line, _ := json.Marshal(v)
	fmt.Println(string(line))
	if len(v.Problems) > 0 {
		os.Exit(1)
	}
}

// resolveUnknown gives a write whose response was lost the outcome the watcher saw, as etcd's robustness tests do:
// every put writes a value of its own, so a watch event with that key and value is that put, applied at the event's
// revision. The checker then places it at that revision instead of trying it everywhere, applied or not: a history
// with many lost responses (a partition) is checked in seconds, not minutes. A write the watcher did not see stays
// unknown (its response may have been lost after the watch stopped).
func resolveUnknown(ops []porcupine.Operation, events []event) []porcupine.Operation {
	seen := map[string]int64{}
	for _, e := range events {
		if e.Put {
			seen[fmt.Sprintf("%d/%s", e.Key, e.Value)] = e.Rev
		}
	}
	out := make([]porcupine.Operation, len(ops))
	for i, o := range ops {
		out[i] = o
		in, res := o.Input.(input), o.Output.(output)
		if !res.Unknown || in.Kind != opPut {
			continue
		}
		if rev, ok := seen[fmt.Sprintf("%d/%s", in.Key, in.Value)]; ok {
			out[i].Output = output{Succeeded: true, Rev: rev}
		}
	}
	return out
}

func lastWrite(ops []porcupine.Operation) int64 {
	var rev int64
	for _, o := range ops {
		in, out := o.Input.(input), o.Output.(output)
		if (in.Kind == opPut || in.Kind == opDelete) && out.Succeeded && out.Rev > rev {
			rev = out.Rev
		}
	}
	return rev
}

func check(rec *recorder, events []event, startRev, compactedAt int64, watchErr error, final output, finalOK bool,
	timeout time.Duration) verdict {
	v := verdict{Operations: len(rec.ops), FailedReads: rec.failedReads, WatchEvents: len(events), WatchOK: true,
		RevisionsMonotonic: true, AcknowledgedKept: true, Problems: []string{}}
	problem := func(format string, a ...interface{}) { v.Problems = append(v.Problems, fmt.Sprintf(format, a...)) }

	// (a) linearizable
	res, _ := porcupine.CheckOperationsVerbose(kvModel(), resolveUnknown(rec.ops, events), timeout)
	switch res {
	case porcupine.Ok:
		v.Linearizable = "ok"
	case porcupine.Illegal:
		v.Linearizable = "illegal"
		problem("the history is not linearizable")
	default:
		v.Linearizable = "unknown"
		problem("the linearizability check did not finish within %s", timeout)
	}

	// Writes by revision: acknowledged and unknown.
	acked := map[int64]input{}
	var unknown []input
	for _, o := range rec.ops {
		in, out := o.Input.(input), o.Output.(output)
		if in.Kind != opPut && in.Kind != opDelete {
			continue
		}
		if out.Unknown {
			v.Unknown++
			unknown = append(unknown, in)
		} else if out.Succeeded {
			v.Writes++
			if prev, dup := acked[out.Rev]; dup {
				problem("two acknowledged writes at revision %d: %+v and %+v", out.Rev, prev, in)
			}
			acked[out.Rev] = in
		}
	}

	// (b) the watch: strictly increasing, every acknowledged write in its range, no event nobody wrote.
	if watchErr != nil {
		v.WatchOK = false
		problem("the watch failed: %v", watchErr)
	}
	var lastRev int64
	seen := map[int64]bool{}
	for _, e := range events {
		if e.Rev <= lastRev {
			v.WatchOK = false
			problem("the watch went from revision %d to %d", lastRev, e.Rev)
		}
		lastRev = e.Rev
		seen[e.Rev] = true
		if w, ok := acked[e.Rev]; ok {
			if w.Key != e.Key || (w.Kind == opPut) != e.Put || (e.Put && w.Value != e.Value) {
				v.WatchOK = false
				problem("the watch's event at revision %d is not the write acknowledged there", e.Rev)
			}
		} else if !fromUnknown(e, unknown) {
			v.WatchOK = false
			problem("the watch saw a write at revision %d that no client made (%+v)", e.Rev, e)
		}
	}
	end := lastRev
	if compactedAt != 0 {
		end = compactedAt - 1
	}
	var missing []int64
	for rev := range acked {
		if rev > startRev && rev <= end && !seen[rev] {
			missing = append(missing, rev)
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
		v.WatchOK = false
		problem("the watch missed acknowledged writes at revisions %v", missing)
	}

	// (c) no client saw a revision go back
	for c, revs := range rec.perClient {
		for i := 1; i < len(revs); i++ {
			if revs[i] < revs[i-1] {
				v.RevisionsMonotonic = false
				problem("client %d saw revision %d after %d", c, revs[i], revs[i-1])
				break
			}
		}
	}

	// (d) every key ends with its last acknowledged write, unless a write whose outcome is unknown came later.
	if !finalOK {
		v.AcknowledgedKept = false
		problem("the final read failed: no member answered")
	} else {
		lastAcked := map[int]int64{}
		for rev, w := range acked {
			if rev > lastAcked[w.Key] {
				lastAcked[w.Key] = rev
			}
		}
		for k, rev := range lastAcked {
			w := acked[rev]
			got := final.All[k]
			uncertain := false
			for _, u := range unknown {
				uncertain = uncertain || u.Key == k
			}
			if uncertain {
				continue
			}
			if w.Kind == opPut && (!got.Exists || got.Value != w.Value || got.Mod != rev) {
				v.AcknowledgedKept = false
				problem("key k%d: the write acknowledged at revision %d (%q) is not there (found %+v)", k, rev, w.Value, got)
			}
			if w.Kind == opDelete && got.Exists && got.Mod <= rev {
				v.AcknowledgedKept = false
				problem("key k%d: deleted at revision %d, still there", k, rev)
			}
		}
		if final.Rev < lastWrite(rec.ops) {
			v.AcknowledgedKept = false
			problem("the final read's revision %d is below an acknowledged write's", final.Rev)
		}
	}
	return v
}

func fromUnknown(e event, unknown []input) bool {
	for _, u := range unknown {
		if u.Key == e.Key && (u.Kind == opPut) == e.Put && (!e.Put || u.Value == e.Value) {
			return true
		}
	}
	return false
}

// do runs one operation: reads are linearizable; writes are transactions guarded by the ModRevision read before.
func do(c *clientv3.Client, name func(int) string, in input, keys int) (output, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	switch in.Kind {
	case opGet:
		r, err := c.Get(ctx, name(in.Key))
		if err != nil {
			return output{}, false
		}
		return output{Rev: r.Header.Revision, Current: first(r.Kvs)}, true
	case opRange:
		prefix := strings.TrimSuffix(name(0), "k0")
		r, err := c.Get(ctx, prefix, clientv3.WithPrefix())
		if err != nil {
			return output{}, false
		}
		out := output{Rev: r.Header.Revision}
		for _, x := range r.Kvs {
			var k int
			fmt.Sscanf(strings.TrimPrefix(string(x.Key), prefix), "k%d", &k)
			if k < keys {
				out.All[k] = kv{Exists: true, Value: string(x.Value), Mod: x.ModRevision}
			}
		}
		return out, true
	default:
		var then clientv3.Op
		if in.Kind == opPut {
			then = clientv3.OpPut(name(in.Key), in.Value)
		} else {
			then = clientv3.OpDelete(name(in.Key))
		}
		r, err := c.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(name(in.Key)), "=", in.Expect)).
			Then(then).Else(clientv3.OpGet(name(in.Key))).Commit()
		if err != nil {
			return output{}, false
		}
		out := output{Rev: r.Header.Revision, Succeeded: r.Succeeded}
		if !r.Succeeded && len(r.Responses) > 0 {
			out.Current = first(r.Responses[0].GetResponseRange().Kvs)
		}
		return out, true
	}
}

func first(kvs []*mvccpb.KeyValue) kv {
	if len(kvs) == 0 {
		return kv{}
	}
	return kv{Exists: true, Value: string(kvs[0].Value), Mod: kvs[0].ModRevision}
}

func mustClient(cfg clientv3.Config) *clientv3.Client {
	c, err := clientv3.New(cfg)
	if err != nil {
		fail("client: %v", err)
	}
	return c
}

func mustRev(c *clientv3.Client, key string) int64 {
	for i := 0; i < 30; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		r, err := c.Get(ctx, key)
		cancel()
		if err == nil {
			return r.Header.Revision
		}
		time.Sleep(time.Second)
	}
	fail("no member answered")
	return 0
}

func readHosts(path string) map[string]string {
	data, err := os.ReadFile(path)
	if err != nil {
		fail("hosts: %v", err)
	}
	names := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(strings.SplitN(line, "#", 2)[0])
		for _, n := range f[min(1, len(f)):] {
			names[n] = f[0]
		}
	}
	return names
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "histcheck: "+format+"\n", a...)
	os.Exit(2)
}
