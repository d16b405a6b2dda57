package main

// The key-value model histories are checked against: a fixed set of keys, each with a value and the revision of
// its last change, and the store's revision. etcd's revision is global: writes outside the checked keys (another
// workload, the operator) move it too, so the model asks only that revisions never go back and that each write
// lands on a revision above everything before it, not that they count up by one.

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

const maxKeys = 8

type kind int

const (
	opGet kind = iota
	opRange
	opPut    // compare ModRevision == expect, then put, else get
	opDelete // compare ModRevision == expect, then delete, else get
)

type input struct {
	Kind   kind
	Key    int
	Value  string
	Expect int64 // the ModRevision compared against (0: the key must not exist)
}

type kv struct {
	Exists bool
	Value  string
	Mod    int64
}

type output struct {
	Unknown   bool  // the write's outcome is unknown (an error, a timeout): it may or may not have happened
	Succeeded bool  // a compare held
	Rev       int64 // the response header's revision
	Current   kv    // Get, or the Else branch's read of the key
	All       [maxKeys]kv
}

// state: comparable, so porcupine can cache visited states. A key's Mod below 0 means "changed by a write whose
// response was lost, at some revision above -Mod-1": the first read of the key tells which.
type state struct {
	Rev  int64
	Vals [maxKeys]kv
}

func matches(s kv, seen kv, rev int64) (kv, bool) {
	if s.Mod < 0 {
		// An unknown write: the value is known, the revision only that it is above -Mod and at most rev.
		if seen.Exists != s.Exists || seen.Value != s.Value || seen.Mod <= -s.Mod-1 || seen.Mod > rev {
			return s, false
		}
		return seen, true
	}
	return s, s.Exists == seen.Exists && (!s.Exists || (s.Value == seen.Value && s.Mod == seen.Mod))
}

// compareHolds: whether the write's compare (ModRevision == expect) can hold on cur; a key changed by an unknown
// write (Mod < 0) holds for any expect above -Mod-1, and is then resolved to it.
func compareHolds(cur kv, expect int64) (kv, bool) {
	if cur.Mod < 0 {
		if expect > -cur.Mod-1 {
			cur.Mod = expect
			return cur, true
		}
		return cur, false
	}
	if !cur.Exists {
		return cur, expect == 0
	}
	return cur, cur.Mod == expect
}

func apply(st state, in input, rev int64) state {
	if in.Kind == opPut {
		st.Vals[in.Key] = kv{Exists: true, Value: in.Value, Mod: rev}
	} else {
		st.Vals[in.Key] = kv{}
	}
	st.Rev = rev
	return st
}

func step(st state, in input, out output) []state {
	if out.Unknown {
		// Not applied, or applied at some revision after this state's.
		next := []state{st}
		if _, holds := compareHolds(st.Vals[in.Key], in.Expect); holds {
			applied := apply(st, in, st.Rev+1)
			if in.Kind == opPut {
				applied.Vals[in.Key].Mod = -st.Rev - 1
			}
			next = append(next, applied)
		}
		return next
	}
	if out.Rev < st.Rev {
		return nil // a revision went back
	}
	switch in.Kind {
	case opGet:
		v, ok := matches(st.Vals[in.Key], out.Current, out.Rev)
		if !ok {
			return nil
		}
		st.Vals[in.Key] = v
		st.Rev = out.Rev
		return []state{st}
	case opRange:
		for i := 0; i < maxKeys; i++ {
			v, ok := matches(st.Vals[i], out.All[i], out.Rev)
			if !ok {
				return nil
			}
			st.Vals[i] = v
		}
		st.Rev = out.Rev
		return []state{st}
	default:
		cur := st.Vals[in.Key]
		if out.Succeeded {
			if _, holds := compareHolds(cur, in.Expect); !holds || out.Rev <= st.Rev {
				return nil // the compare could not hold, or the write did not land above everything before it
			}
			return []state{apply(st, in, out.Rev)}
		}
		v, ok := matches(cur, out.Current, out.Rev)
		if !ok {
			return nil
		}
		if _, holds := compareHolds(v, in.Expect); holds {
			return nil // the compare held, yet etcd said it did not
		}
		st.Vals[in.Key] = v
		st.Rev = out.Rev
		return []state{st}
	}
}

func kvModel() porcupine.Model {
	m := porcupine.NondeterministicModel{
		Init: func() []interface{} { return []interface{}{state{}} },
		Step: func(s, in, out interface{}) []interface{} {
			var next []interface{}
			for _, n := range step(s.(state), in.(input), out.(output)) {
				next = append(next, n)
			}
			return next
		},
		Equal: func(a, b interface{}) bool { return a.(state) == b.(state) },
		DescribeOperation: func(in, out interface{}) string {
			i, o := in.(input), out.(output)
			names := []string{"get", "range", "put", "delete"}
			return fmt.Sprintf("%s k%d %q expect=%d -> ok=%v unknown=%v rev=%d cur=%+v", names[i.Kind], i.Key, i.Value,
				i.Expect, o.Succeeded, o.Unknown, o.Rev, o.Current)
		},
		DescribeState: func(s interface{}) string { return fmt.Sprintf("%+v", s.(state)) },
	}
	return m.ToModel()
}
