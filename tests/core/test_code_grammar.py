"""Tree-sitter skeletons of Go, Rust, Java, JavaScript and TypeScript, with the real grammars.

Each test skips when its grammar wheel is not installed (``pip install "agent-baton[code]"``);
the brace scanner then handles the same inputs, as the fallback tests check.
"""

import sys
from dataclasses import dataclass

import pytest

from agent_baton import SharedContext, get_token_counter
from agent_baton.compress.code import compress_code
from agent_baton.compress.code import grammar as code_grammar
from agent_baton.compress.code.grammar import detect_language, grammar_skeleton
from agent_baton.compress.request import Request

count = get_token_counter("gpt-4")

GO = """\
// Package ledger keeps balances for accounts and moves money between them.
package ledger

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// ErrInsufficient is returned when an account cannot cover a debit.
var ErrInsufficient = errors.New("ledger: insufficient funds")

const maxEntries = 10_000

// Entry is one movement of money on an account.
type Entry struct {
	Account string
	Amount  int64
	At      time.Time
	Memo    string `json:"memo,omitempty"`
}

// Store persists entries.
type Store interface {
	Append(e Entry) error
	Since(t time.Time) ([]Entry, error)
}

// Ledger holds the balances in memory and writes every entry to a Store.
type Ledger struct {
	mu       sync.Mutex
	balances map[string]int64
	store    Store
}

// New returns an empty ledger writing to store.
func New(store Store) *Ledger {
	return &Ledger{
		balances: make(map[string]int64),
		store:    store,
	}
}

// Transfer moves amount from one account to another, atomically.
func (l *Ledger) Transfer(from, to string, amount int64) error {
	if amount <= 0 {
		return fmt.Errorf("ledger: bad amount %d", amount)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.balances[from] < amount {
		return ErrInsufficient
	}
	now := time.Now()
	for _, e := range []Entry{{from, -amount, now, "out"}, {to, amount, now, "in"}} {
		if err := l.store.Append(e); err != nil {
			return fmt.Errorf("ledger: append: %w", err)
		}
	}
	l.balances[from] -= amount
	l.balances[to] += amount
	return nil
}

// Balance returns the balance of account.
func (l *Ledger) Balance(account string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.balances[account]
}

// Top returns the n accounts with the largest balances, largest first.
func (l *Ledger) Top(n int) []string {
	l.mu.Lock()
	names := make([]string, 0, len(l.balances))
	for name := range l.balances {
		names = append(names, name)
	}
	l.mu.Unlock()
	sort.Slice(names, func(i, j int) bool {
		return l.Balance(names[i]) > l.Balance(names[j])
	})
	if len(names) > n {
		names = names[:n]
	}
	return names
}

func (l *Ledger) replay(entries []Entry) {
	for _, e := range entries {
		l.balances[e.Account] += e.Amount
	}
	if len(entries) > maxEntries {
		fmt.Println("ledger: replayed a long history")
	}
}

// Restore rebuilds the balances from everything the store holds since t.
func Restore(store Store, since time.Time) (*Ledger, error) {
	entries, err := store.Since(since)
	if err != nil {
		return nil, err
	}
	l := New(store)
	l.replay(entries)
	return l, nil
}
"""

RUST = """\
//! A small rate limiter: token buckets keyed by client.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

/// How many requests a client may make, and how fast the allowance refills.
pub const DEFAULT_BURST: u32 = 20;

/// One client's allowance.
#[derive(Debug, Clone)]
pub struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Why a request was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The bucket is empty; retry after the duration.
    Empty(Duration),
    /// The client is not known.
    Unknown,
}

/// Rate limits many clients at once.
pub struct Limiter<K> {
    buckets: HashMap<K, Bucket>,
    burst: u32,
    per_second: f64,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Empty(wait) => write!(f, "retry in {} ms", wait.as_millis()),
            Refusal::Unknown => write!(f, "unknown client"),
        }
    }
}

impl<K> Limiter<K>
where
    K: std::hash::Hash + Eq + Clone,
{
    /// A limiter allowing `burst` requests at once and `per_second` after that.
    pub fn new(burst: u32, per_second: f64) -> Self {
        Limiter {
            buckets: HashMap::new(),
            burst,
            per_second,
        }
    }

    /// Take one token for `client`, creating its bucket on first use.
    pub fn check(&mut self, client: &K, now: Instant) -> Result<(), Refusal> {
        let burst = f64::from(self.burst);
        let bucket = self.buckets.entry(client.clone()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        refill(bucket, now, self.per_second, burst);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - bucket.tokens;
        let wait = Duration::from_secs_f64(missing / self.per_second);
        Err(Refusal::Empty(wait))
    }

    /// Forget clients idle for longer than `idle`.
    pub fn prune(&mut self, now: Instant, idle: Duration) -> usize {
        let before = self.buckets.len();
        self.buckets
            .retain(|_, bucket| now.duration_since(bucket.updated) < idle);
        before - self.buckets.len()
    }

    fn remaining(&self, client: &K) -> Option<f64> {
        self.buckets.get(client).map(|b| b.tokens)
    }
}

/// Add the tokens earned since the last update, up to the burst.
fn refill(bucket: &mut Bucket, now: Instant, per_second: f64, burst: f64) {
    let elapsed = now.duration_since(bucket.updated).as_secs_f64();
    if elapsed <= 0.0 {
        return;
    }
    bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
    bucket.updated = now;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_when_empty() {
        let mut limiter = Limiter::new(1, 1.0);
        let now = Instant::now();
        assert!(limiter.check(&"a", now).is_ok());
        assert!(limiter.check(&"a", now).is_err());
    }
}
"""

JAVA = """\
package com.example.orders;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the orders of one shop and computes their totals.
 *
 * <p>Not thread-safe: callers synchronise.
 */
public class OrderBook {
    private static final BigDecimal TAX_RATE = new BigDecimal("0.20");

    private final List<Order> orders = new ArrayList<>();
    private final String shop;

    /** An order line: what was bought, how many, at what unit price. */
    public record Line(String sku, int quantity, BigDecimal unitPrice) {}

    /** The states an order goes through. */
    public enum Status {
        OPEN,
        PAID,
        SHIPPED;

        boolean isFinal() {
            return this == SHIPPED;
        }
    }

    /** An order and its lines. */
    public static final class Order {
        final String id;
        final List<Line> lines = new ArrayList<>();
        Status status = Status.OPEN;
        Instant placedAt;

        Order(String id) {
            this.id = id;
            this.placedAt = Instant.now();
        }
    }

    /**
     * Creates an empty book for a shop.
     *
     * @param shop the shop's name
     */
    public OrderBook(String shop) {
        this.shop = shop;
    }

    /** Adds an order with its lines and returns it. */
    public Order place(String id, List<Line> lines) {
        if (find(id).isPresent()) {
            throw new IllegalArgumentException("duplicate order " + id);
        }
        Order order = new Order(id);
        order.lines.addAll(lines);
        orders.add(order);
        return order;
    }

    /** The order with this id, if any. */
    public Optional<Order> find(String id) {
        for (Order order : orders) {
            if (order.id.equals(id)) {
                return Optional.of(order);
            }
        }
        return Optional.empty();
    }

    /**
     * The total of an order, tax included, rounded to cents.
     */
    @Deprecated
    public BigDecimal total(Order order) {
        BigDecimal net = BigDecimal.ZERO;
        for (Line line : order.lines) {
            BigDecimal amount = line.unitPrice().multiply(BigDecimal.valueOf(line.quantity()));
            net = net.add(amount);
        }
        BigDecimal gross = net.add(net.multiply(TAX_RATE));
        return gross.setScale(2, java.math.RoundingMode.HALF_UP);
    }

    @Override
    public String toString() {
        return "OrderBook[" + shop + ", " + orders.size() + " orders]";
    }

    private void archive(Order order) {
        if (!order.status.isFinal()) {
            throw new IllegalStateException("order " + order.id + " is still open");
        }
        orders.remove(order);
        System.out.println("archived " + order.id);
    }
}
"""

JAVASCRIPT = """\
'use strict';

const fs = require('fs');
const path = require('path');
const { EventEmitter } = require('events');

const DEFAULT_OPTIONS = {
  maxAge: 60 * 1000,
  maxEntries: 500,
};

/**
 * A cache of file contents that reloads a file when it changes on disk.
 */
class FileCache extends EventEmitter {
  #entries = new Map();

  /**
   * @param {string} root directory the keys are relative to
   * @param {object} [options]
   */
  constructor(root, options = {}) {
    super();
    this.root = root;
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  /** The contents of `name`, read from disk when missing or stale. */
  async get(name) {
    const file = path.join(this.root, name);
    const stat = await fs.promises.stat(file);
    const cached = this.#entries.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && !this.#expired(cached)) {
      this.emit('hit', name);
      return cached.body;
    }
    const body = await fs.promises.readFile(file, 'utf8');
    this.#entries.set(file, { body, mtimeMs: stat.mtimeMs, at: Date.now() });
    this.#evict();
    this.emit('miss', name);
    return body;
  }

  /** Drops every entry. */
  clear() {
    this.#entries.clear();
  }

  #expired(entry) {
    return Date.now() - entry.at > this.options.maxAge;
  }

  #evict() {
    while (this.#entries.size > this.options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      this.#entries.delete(oldest);
    }
  }
}

/**
 * Splits "a/b/../c" into normalised segments.
 */
function segments(name) {
  const out = [];
  for (const part of name.split('/')) {
    if (part === '..') {
      out.pop();
    } else if (part && part !== '.') {
      out.push(part);
    }
  }
  return out;
}

const isHidden = (name) => {
  const parts = segments(name);
  return parts.some((part) => part.startsWith('.'));
};

async function warm(cache, names) {
  const results = await Promise.allSettled(names.map((name) => cache.get(name)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    console.warn(`warm: ${failed.length} files failed`);
  }
  return results.length - failed.length;
}

module.exports = { FileCache, segments, isHidden, warm };
"""

TYPESCRIPT = """\
import { EventEmitter } from 'node:events'
import type { Logger } from './logger'
import { backoff, sleep } from './timing'

export type JobState = 'queued' | 'running' | 'done' | 'failed'

/** A unit of work and what happened to it. */
export interface Job<T = unknown> {
  id: string
  payload: T
  state: JobState
  attempts: number
  error?: string
}

export interface QueueOptions {
  concurrency: number
  retries: number
  logger?: Logger
}

const DEFAULTS: QueueOptions = { concurrency: 4, retries: 3 }

/**
 * Runs jobs with bounded concurrency and retries with backoff.
 */
export class JobQueue<T> extends EventEmitter {
  private readonly jobs = new Map<string, Job<T>>()
  private running = 0
  readonly options: QueueOptions

  constructor(
    private readonly worker: (payload: T) => Promise<void>,
    options: Partial<QueueOptions> = {},
  ) {
    super()
    this.options = { ...DEFAULTS, ...options }
  }

  /** Adds a job; it starts as soon as a slot is free. */
  add(id: string, payload: T): Job<T> {
    if (this.jobs.has(id)) {
      throw new Error(`duplicate job ${id}`)
    }
    const job: Job<T> = { id, payload, state: 'queued', attempts: 0 }
    this.jobs.set(id, job)
    this.pump()
    return job
  }

  /** How many jobs are in each state. */
  counts(): Record<JobState, number> {
    const counts: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0 }
    for (const job of this.jobs.values()) {
      counts[job.state] += 1
    }
    return counts
  }

  private pump(): void {
    for (const job of this.jobs.values()) {
      if (this.running >= this.options.concurrency) {
        return
      }
      if (job.state === 'queued') {
        void this.run(job)
      }
    }
  }

  private async run(job: Job<T>): Promise<void> {
    job.state = 'running'
    this.running += 1
    try {
      while (true) {
        job.attempts += 1
        try {
          await this.worker(job.payload)
          job.state = 'done'
          break
        } catch (error) {
          if (job.attempts > this.options.retries) {
            job.state = 'failed'
            job.error = String(error)
            this.options.logger?.warn(`job ${job.id} failed: ${job.error}`)
            break
          }
          await sleep(backoff(job.attempts))
        }
      }
    } finally {
      this.running -= 1
      this.emit(job.state, job)
      this.pump()
    }
  }
}

export function isFinished(job: Job): boolean {
  return job.state === 'done' || job.state === 'failed'
}

export const summarize = <T>(jobs: Job<T>[]): string => {
  const done = jobs.filter(isFinished).length
  return `${done}/${jobs.length} finished`
}
"""


@dataclass
class Case:
    language: str
    module: str  # the grammar wheel
    source: str
    imports: list[str]
    signatures: list[str]
    docs: list[str]
    bodies: dict[str, str]  # function -> a line of its body that must be elided
    question: str  # a query naming one function...
    whole: list[str]  # ...whose body lines must all be kept
    elsewhere: str  # a line of another body that stays elided


CASES = [
    Case(
        "go",
        "tree_sitter_go",
        GO,
        imports=["package ledger", "import (", '\t"errors"', '\t"sync"'],
        signatures=[
            'var ErrInsufficient = errors.New("ledger: insufficient funds")',
            "const maxEntries = 10_000",
            "type Entry struct {",
            "\tAmount  int64",
            "type Store interface {",
            "\tAppend(e Entry) error",
            "type Ledger struct {",
            "func New(store Store) *Ledger {",
            "func (l *Ledger) Transfer(from, to string, amount int64) error {",
            "func (l *Ledger) Balance(account string) int64 {",
            "func (l *Ledger) Top(n int) []string {",
            "func (l *Ledger) replay(entries []Entry) {",
            "func Restore(store Store, since time.Time) (*Ledger, error) {",
        ],
        docs=["// Transfer moves amount from one account to another, atomically."],
        bodies={"Transfer": "l.balances[to] += amount", "Top": "names = names[:n]"},
        question="How does Transfer refuse a debit?",
        whole=["if l.balances[from] < amount {", "return ErrInsufficient", "now := time.Now()"],
        elsewhere="names = names[:n]",
    ),
    Case(
        "rust",
        "tree_sitter_rust",
        RUST,
        imports=["use std::collections::HashMap;", "use std::time::{Duration, Instant};"],
        signatures=[
            "pub const DEFAULT_BURST: u32 = 20;",
            "#[derive(Debug, Clone)]",
            "pub struct Bucket {",
            "pub enum Refusal {",
            "pub struct Limiter<K> {",
            "impl fmt::Display for Refusal {",
            "fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {",
            "impl<K> Limiter<K>",
            "K: std::hash::Hash + Eq + Clone,",
            "pub fn new(burst: u32, per_second: f64) -> Self {",
            "pub fn check(&mut self, client: &K, now: Instant) -> Result<(), Refusal> {",
            "pub fn prune(&mut self, now: Instant, idle: Duration) -> usize {",
            "fn remaining(&self, client: &K) -> Option<f64> {",
            "fn refill(bucket: &mut Bucket, now: Instant, per_second: f64, burst: f64) {",
        ],
        docs=["/// Take one token for `client`, creating its bucket on first use."],
        bodies={"check": "bucket.tokens -= 1.0;", "refill": "bucket.updated = now;"},
        question="When does check refuse a client?",
        whole=["let missing = 1.0 - bucket.tokens;", "Err(Refusal::Empty(wait))"],
        elsewhere="bucket.updated = now;",
    ),
    Case(
        "java",
        "tree_sitter_java",
        JAVA,
        imports=["package com.example.orders;", "import java.util.Optional;"],
        signatures=[
            "public class OrderBook {",
            'private static final BigDecimal TAX_RATE = new BigDecimal("0.20");',
            "public record Line(String sku, int quantity, BigDecimal unitPrice) {}",
            "public enum Status {",
            "public static final class Order {",
            "public OrderBook(String shop) {",
            "public Order place(String id, List<Line> lines) {",
            "public Optional<Order> find(String id) {",
            "@Deprecated",
            "public BigDecimal total(Order order) {",
            "public String toString() {",
            "private void archive(Order order) {",
        ],
        docs=[
            "/** Adds an order with its lines and returns it. */",
            " * The total of an order, tax included, rounded to cents.",
        ],
        bodies={"place": "orders.add(order);", "archive": "orders.remove(order);"},
        question="How is the total of an order rounded?",
        whole=[
            "net = net.add(amount);",
            "return gross.setScale(2, java.math.RoundingMode.HALF_UP);",
        ],
        elsewhere="orders.remove(order);",
    ),
    Case(
        "javascript",
        "tree_sitter_javascript",
        JAVASCRIPT,
        imports=["const fs = require('fs');", "const { EventEmitter } = require('events');"],
        signatures=[
            "class FileCache extends EventEmitter {",
            "constructor(root, options = {}) {",
            "async get(name) {",
            "clear() {",
            "#expired(entry) {",
            "#evict() {",
            "function segments(name) {",
            "const isHidden = (name) => {",
            "async function warm(cache, names) {",
            "module.exports = { FileCache, segments, isHidden, warm };",
        ],
        docs=["/** The contents of `name`, read from disk when missing or stale. */"],
        bodies={"get": "this.emit('miss', name);", "#evict": "this.#entries.delete(oldest);"},
        question="What does segments do with '..' parts?",
        whole=["if (part === '..') {", "out.pop();", "} else if (part && part !== '.') {"],
        elsewhere="this.#entries.delete(oldest);",
    ),
    Case(
        "typescript",
        "tree_sitter_typescript",
        TYPESCRIPT,
        imports=["import { EventEmitter } from 'node:events'", "import type { Logger } from"],
        signatures=[
            "export type JobState = 'queued' | 'running' | 'done' | 'failed'",
            "export interface Job<T = unknown> {",
            "export class JobQueue<T> extends EventEmitter {",
            "private readonly worker: (payload: T) => Promise<void>,",
            "add(id: string, payload: T): Job<T> {",
            "counts(): Record<JobState, number> {",
            "private pump(): void {",
            "private async run(job: Job<T>): Promise<void> {",
            "export function isFinished(job: Job): boolean {",
            "export const summarize = <T>(jobs: Job<T>[]): string => {",
        ],
        docs=["/** Adds a job; it starts as soon as a slot is free. */"],
        bodies={"run": "await sleep(backoff(job.attempts))", "add": "this.jobs.set(id, job)"},
        question="How many times does run retry a failing job?",
        whole=["if (job.attempts > this.options.retries) {", "this.emit(job.state, job)"],
        elsewhere="this.jobs.set(id, job)",
    ),
]
IDS = [case.language for case in CASES]


def need(module: str) -> None:
    """Skip unless tree-sitter and this grammar wheel are installed."""
    pytest.importorskip("tree_sitter")
    pytest.importorskip(module)


@pytest.fixture(params=CASES, ids=IDS)
def case(request: pytest.FixtureRequest) -> Case:
    need(request.param.module)
    return request.param


def without_grammars(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every grammar look uninstalled, so the brace scanner runs."""
    monkeypatch.setattr(code_grammar, "_language", lambda name: None)


def test_keeps_imports_signatures_and_docs_and_elides_bodies(case: Case):
    out, name = compress_code(case.source, Request(key="k"))
    assert name == f"code:tree-sitter:{case.language}"
    for line in case.imports + case.signatures + case.docs:
        assert line in out
    for function, body_line in case.bodies.items():
        assert f"lines of {function} omitted" in out
        assert body_line not in out
    assert 'get("k", full=True)' in out


def test_query_keeps_the_named_function_whole(case: Case):
    out, _ = compress_code(case.source, Request(query=case.question))
    for line in case.whole:
        assert line in out
    assert case.elsewhere not in out


def test_levels_keep_less(case: Case):
    sizes = [count(compress_code(case.source, Request(level=lv))[0]) for lv in range(5)]
    assert sizes[0] > sizes[1] > sizes[3] >= sizes[4]


def test_keeps_what_the_brace_scanner_keeps_and_saves_as_much(
    case: Case, monkeypatch: pytest.MonkeyPatch
):
    grammar, _ = compress_code(case.source, Request(key="k"))
    without_grammars(monkeypatch)
    braces, name = compress_code(case.source, Request(key="k"))
    assert name == "code:braces"
    expected = case.signatures + case.docs
    kept_by_braces = [line for line in expected if line in braces]
    assert all(line in grammar for line in kept_by_braces)
    if len(kept_by_braces) == len(expected):
        assert count(grammar) <= count(braces)
    else:
        # The scanner's output is shorter only by what it lost (a `where` clause, a Javadoc
        # above an annotation): the grammar keeps all of it.
        assert all(line in grammar for line in expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_detects_each_language(case: Case):
    assert detect_language(case.source) == case.language  # no grammar needed


@pytest.mark.parametrize(
    "source",
    [
        "using System;\n\nnamespace Demo\n{\n    public class App\n    {\n"
        "        public static void Main(string[] args)\n        {\n"
        '            Console.WriteLine("hi");\n        }\n    }\n}\n' * 3,
        "package com.example\n\nclass Foo(val x: Int) {\n    fun bar(y: Int): Int {\n"
        "        val z = x + y\n        return z\n    }\n}\n" * 3,
        "Some words about the code, with a brace { and nothing else.\n" * 10,
    ],
    ids=["csharp", "kotlin", "prose"],
)
def test_other_languages_are_left_to_the_brace_scanner(source: str):
    assert detect_language(source) is None
    assert grammar_skeleton(source, source.split("\n")) is None


def test_c_header_keeps_its_declarations_inside_extern_c(monkeypatch: pytest.MonkeyPatch):
    """The whole `extern "C" { ... }` block was elided as one body (issue 17)."""
    need("tree_sitter_c")
    prototypes = [f"int zfunc_{i}(const char *name, int level);" for i in range(40)]
    header = "\n".join(
        [
            "#ifndef Z_H",
            "#define Z_H",
            "#include <stddef.h>",
            "#ifdef __cplusplus",
            'extern "C" {',
            "#endif",
            *prototypes,
            "static inline int zadd(int a, int b) {",
            *["    a += b;"] * 20,
            "    return a;",
            "}",
            "#ifdef __cplusplus",
            "}",
            "#endif",
            "#endif",
        ]
    )
    assert detect_language(header) == "c"
    for expected in ("code:tree-sitter:c", "code:braces"):
        if expected == "code:braces":
            without_grammars(monkeypatch)
        out, name = compress_code(header, Request(key="k")) or ("", "")
        assert name == expected
        assert all(line in out for line in prototypes)
        assert "static inline int zadd(int a, int b) {" in out and "a += b;" not in out


def test_tsx_gets_its_own_grammar():
    need("tree_sitter_typescript")
    source = TYPESCRIPT + (
        "\nexport function Badge({ job }: { job: Job }): JSX.Element {\n"
        '  const label: string = isFinished(job) ? "done" : "pending"\n'
        '  return <span className="badge">{label}</span>\n'
        "}\n"
    )
    out, name = compress_code(source, Request())
    assert name == "code:tree-sitter:tsx"
    assert "export function Badge({ job }: { job: Job }): JSX.Element {" in out
    assert "lines of Badge omitted" in out


def test_syntax_errors_fall_back_to_the_brace_scanner():
    need("tree_sitter_go")
    broken = GO.replace("func (l *Ledger) Top(n int) []string {", "func (l *Ledger) Top(n int {{ [")
    broken = broken.replace("\treturn nil\n", '\treturn nil"\n)))\n')
    assert grammar_skeleton(broken, broken.split("\n")) is None
    out, name = compress_code(broken, Request())
    assert name == "code:braces"
    assert "func (l *Ledger) Transfer(from, to string, amount int64) error {" in out


def test_without_grammars_the_brace_scanner_still_works(monkeypatch: pytest.MonkeyPatch):
    without_grammars(monkeypatch)
    assert grammar_skeleton(GO, GO.split("\n")) is None
    out, name = compress_code(GO, Request())
    assert name == "code:braces"
    assert "func (l *Ledger) Transfer(from, to string, amount int64) error {" in out
    assert "lines of Transfer omitted" in out


def test_a_missing_grammar_module_means_none(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "tree_sitter_go", None)  # import now raises ImportError
    code_grammar._language.cache_clear()
    try:
        assert code_grammar._language("go") is None
        assert grammar_skeleton(GO, GO.split("\n")) is None
    finally:
        code_grammar._language.cache_clear()


def test_line_ends_and_odd_inputs():
    need("tree_sitter_go")
    for ends in ("\r\n", "\r"):
        source = GO.replace("\n", ends)
        out, name = compress_code(source, Request())
        assert name == "code:tree-sitter:go"
        assert "func (l *Ledger) Top(n int) []string {" in out
        assert "names = names[:n]" not in out
    surrogate = GO.replace("out", "o\ud800ut")
    assert grammar_skeleton(surrogate, surrogate.split("\n")) is not None
    assert grammar_skeleton("", []) is None
    assert grammar_skeleton(GO.encode(), []) is None  # not a str: None, not an exception
    assert grammar_skeleton(None, []) is None
    assert compress_code("", Request()) is None


def test_bytes_through_the_shared_context():
    need("tree_sitter_rust")
    entry = SharedContext().put("limiter", RUST.encode())
    assert "code:tree-sitter:rust" in entry.transforms
    assert entry.compressed_tokens < entry.original_tokens
