package main

import (
	"math"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

func op(client int, in input, call int64, out output, ret int64) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret}
}

func put(k int, v string, expect int64) input { return input{Kind: opPut, Key: k, Value: v, Expect: expect} }
func get(k int) input                          { return input{Kind: opGet, Key: k} }

func TestASequentialHistoryIsLinearizable(t *testing.T) {
	h := []porcupine.Operation{
		op(0, put(0, "a", 0), 0, output{Succeeded: true, Rev: 10}, 1),
		op(1, get(0), 2, output{Rev: 10, Current: kv{true, "a", 10}}, 3),
		op(1, put(0, "b", 10), 4, output{Succeeded: true, Rev: 12}, 5), // another workload wrote rev 11
		op(0, put(0, "c", 10), 6, output{Succeeded: false, Rev: 12, Current: kv{true, "b", 12}}, 7),
	}
	if !porcupine.CheckOperations(kvModel(), h) {
		t.Fatal("a sequential history was judged not linearizable")
	}
}

func TestAStaleReadIsCaught(t *testing.T) {
	h := []porcupine.Operation{
		op(0, put(0, "a", 0), 0, output{Succeeded: true, Rev: 10}, 1),
		op(1, get(0), 2, output{Rev: 10, Current: kv{}}, 3), // after the write returned, the key is not there
	}
	if porcupine.CheckOperations(kvModel(), h) {
		t.Fatal("a stale read passed")
	}
}

func TestARevisionGoingBackIsCaught(t *testing.T) {
	h := []porcupine.Operation{
		op(0, get(1), 0, output{Rev: 20}, 1),
		op(1, get(1), 2, output{Rev: 19}, 3),
	}
	if porcupine.CheckOperations(kvModel(), h) {
		t.Fatal("a revision going back passed")
	}
}

func TestACompareThatHeldButFailedIsCaught(t *testing.T) {
	h := []porcupine.Operation{
		op(0, put(0, "a", 0), 0, output{Succeeded: true, Rev: 10}, 1),
		op(0, put(0, "b", 10), 2, output{Succeeded: false, Rev: 10, Current: kv{true, "a", 10}}, 3),
	}
	if porcupine.CheckOperations(kvModel(), h) {
		t.Fatal("a failed compare that should have held passed")
	}
}

func TestAWriteWhoseAnswerWasLostMayHaveHappened(t *testing.T) {
	happened := []porcupine.Operation{
		op(0, put(0, "a", 0), 0, output{Unknown: true}, math.MaxInt64),
		op(1, get(0), 5, output{Rev: 13, Current: kv{true, "a", 13}}, 6),
		op(1, put(0, "b", 13), 7, output{Succeeded: true, Rev: 14}, 8),
	}
	if !porcupine.CheckOperations(kvModel(), happened) {
		t.Fatal("a lost answer whose write happened was judged not linearizable")
	}
	notHappened := []porcupine.Operation{
		op(0, put(0, "a", 0), 0, output{Unknown: true}, math.MaxInt64),
		op(1, get(0), 5, output{Rev: 13, Current: kv{}}, 6),
	}
	if !porcupine.CheckOperations(kvModel(), notHappened) {
		t.Fatal("a lost answer whose write did not happen was judged not linearizable")
	}
	twice := []porcupine.Operation{
		op(0, put(0, "a", 0), 0, output{Unknown: true}, math.MaxInt64),
		op(1, get(0), 5, output{Rev: 13, Current: kv{true, "zzz", 13}}, 6), // a value nobody wrote
	}
	if porcupine.CheckOperations(kvModel(), twice) {
		t.Fatal("a value nobody wrote passed")
	}
}

func TestTheWatchAndTheEndAreChecked(t *testing.T) {
	rec := &recorder{start: time.Now(), perClient: map[int][]int64{}}
	rec.add(0, put(0, "a", 0), 0, output{Succeeded: true, Rev: 10}, 1)
	rec.add(0, put(1, "b", 0), 2, output{Succeeded: true, Rev: 11}, 3)
	final := output{Rev: 11}
	final.All[0] = kv{true, "a", 10}
	final.All[1] = kv{true, "b", 11}
	rec.add(1, input{Kind: opRange}, 4, final, 5)
	ok := check(rec, []event{{10, 0, true, "a"}, {11, 1, true, "b"}}, 9, 0, nil, final, true, time.Minute)
	if len(ok.Problems) != 0 {
		t.Fatalf("a good history has problems: %v", ok.Problems)
	}
	gap := check(rec, []event{{11, 1, true, "b"}}, 9, 0, nil, final, true, time.Minute)
	if gap.WatchOK {
		t.Fatal("a watch that missed revision 10 passed")
	}
	backwards := check(rec, []event{{11, 1, true, "b"}, {10, 0, true, "a"}}, 9, 0, nil, final, true, time.Minute)
	if backwards.WatchOK {
		t.Fatal("a watch going back passed")
	}
	phantom := check(rec, []event{{10, 0, true, "a"}, {11, 1, true, "b"}, {12, 2, true, "x"}}, 9, 0, nil, final, true,
		time.Minute)
	if phantom.WatchOK {
		t.Fatal("a watch event nobody wrote passed")
	}
	lost := final
	lost.All[1] = kv{}
	gone := check(rec, []event{{10, 0, true, "a"}, {11, 1, true, "b"}}, 9, 0, nil, lost, true, time.Minute)
	if gone.AcknowledgedKept {
		t.Fatalf("an acknowledged write missing at the end passed: %+v", gone)
	}
	rec.perClient[2] = []int64{12, 11}
	if back := check(rec, nil, 9, 9, nil, final, true, time.Minute); back.RevisionsMonotonic {
		t.Fatal("a client's revision going back passed")
	}
}

func TestALostAnswerTheWatcherSawIsPlacedAtItsRevision(t *testing.T) {
	h := []porcupine.Operation{
		op(0, put(0, "a", 0), 0, output{Unknown: true}, math.MaxInt64),
		op(1, get(0), 5, output{Rev: 13, Current: kv{true, "a", 13}}, 6),
	}
	resolved := resolveUnknown(h, []event{{Rev: 13, Key: 0, Put: true, Value: "a"}})
	if out := resolved[0].Output.(output); out.Unknown || !out.Succeeded || out.Rev != 13 {
		t.Fatalf("the watched put was not resolved: %+v", out)
	}
	if !porcupine.CheckOperations(kvModel(), resolved) {
		t.Fatal("a resolved put at its watched revision was judged not linearizable")
	}
	if h[0].Output.(output).Unknown != true {
		t.Fatal("the recorded history was changed")
	}
	// The watcher saw it at 13, a read says 12 held it after the put's call: not linearizable.
	wrong := append([]porcupine.Operation{}, h[0], op(1, get(0), 5, output{Rev: 12, Current: kv{true, "a", 12}}, 6))
	if porcupine.CheckOperations(kvModel(), resolveUnknown(wrong, []event{{Rev: 13, Key: 0, Put: true, Value: "a"}})) {
		t.Fatal("a read that disagrees with the watched revision passed")
	}
	unseen := resolveUnknown(h, nil)
	if !unseen[0].Output.(output).Unknown {
		t.Fatal("a put the watcher did not see was resolved")
	}
}
