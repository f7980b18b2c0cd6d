"""Tree-sitter skeletons of the languages with a grammar wheel, with the real grammars.

Each test skips when its grammar wheel is not installed (``pip install "agent-baton[code]"``);
the brace scanner then handles the same inputs, as the fallback tests check.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent_baton import SharedContext, get_token_counter
from agent_baton.compress import compress
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


CSHARP = """\
using System;
using System.Collections.Generic;

namespace Shipping.Rates
{
    /// <summary>Quotes a price for a parcel from its weight and zone.</summary>
    public sealed class RateTable : IRateSource
    {
        private const decimal Fuel = 0.12m;
        private readonly Dictionary<int, decimal> perKg = new();

        public string Carrier { get; }

        public RateTable(string carrier)
        {
            Carrier = carrier;
            perKg[1] = 4.10m;
        }

        /// <summary>The price of a parcel, fuel surcharge included.</summary>
        public decimal Quote(decimal kilograms, int zone)
        {
            if (!perKg.TryGetValue(zone, out var rate))
            {
                throw new ArgumentOutOfRangeException(nameof(zone));
            }
            var net = Math.Ceiling(kilograms) * rate;
            return Math.Round(net * (1 + Fuel), 2);
        }

        private void Load(IEnumerable<string> rows)
        {
            foreach (var row in rows)
            {
                var parts = row.Split(',');
                perKg[int.Parse(parts[0])] = decimal.Parse(parts[1]);
            }
        }
    }

    public interface IRateSource
    {
        decimal Quote(decimal kilograms, int zone);
    }
}
"""


KOTLIN = """\
package shipping.rates

import java.math.BigDecimal
import java.math.RoundingMode

const val FUEL_PERCENT = 12

/** Quotes a price for a parcel from its weight and zone. */
class RateTable(private val carrier: String) : RateSource {
    private val perKg = mutableMapOf<Int, BigDecimal>()

    init {
        perKg[1] = BigDecimal("4.10")
        perKg[2] = BigDecimal("5.60")
    }

    /** The price of a parcel, fuel surcharge included. */
    override fun quote(kilograms: BigDecimal, zone: Int): BigDecimal {
        val rate = perKg[zone] ?: throw IllegalArgumentException("no zone $zone")
        val net = kilograms.setScale(0, RoundingMode.CEILING) * rate
        return (net * BigDecimal(100 + FUEL_PERCENT) / BigDecimal(100)).setScale(2)
    }

    private fun load(rows: List<String>) {
        for (row in rows) {
            val (zone, price) = row.split(",")
            perKg[zone.toInt()] = BigDecimal(price)
        }
    }

    companion object {
        fun empty(carrier: String): RateTable {
            return RateTable(carrier)
        }
    }
}

interface RateSource {
    fun quote(kilograms: BigDecimal, zone: Int): BigDecimal
}
"""


SWIFT = """\
import Foundation

let fuelPercent = 12

/// Quotes a price for a parcel from its weight and zone.
public final class RateTable: RateSource {
    private var perKg: [Int: Decimal] = [:]
    public let carrier: String

    public init(carrier: String) {
        self.carrier = carrier
        perKg[1] = 4.10
    }

    /// The price of a parcel, fuel surcharge included.
    public func quote(kilograms: Decimal, zone: Int) throws -> Decimal {
        guard let rate = perKg[zone] else {
            throw RateError.unknownZone(zone)
        }
        let net = kilograms.rounded(.up) * rate
        return net * Decimal(100 + fuelPercent) / 100
    }

    private func load(rows: [String]) {
        for row in rows {
            let parts = row.split(separator: ",")
            perKg[Int(parts[0])!] = Decimal(string: String(parts[1]))
        }
    }
}

public protocol RateSource {
    func quote(kilograms: Decimal, zone: Int) throws -> Decimal
}

enum RateError: Error {
    case unknownZone(Int)
}
"""


RUBY = """\
require "bigdecimal"
require_relative "zones"

FUEL_PERCENT = 12

module Shipping
  # Quotes a price for a parcel from its weight and zone.
  class RateTable
    attr_reader :carrier

    def initialize(carrier)
      @carrier = carrier
      @per_kg = { 1 => BigDecimal("4.10") }
    end

    # The price of a parcel, fuel surcharge included.
    def quote(kilograms, zone)
      rate = @per_kg.fetch(zone) { raise ArgumentError, "no zone #{zone}" }
      net = kilograms.ceil * rate
      (net * (100 + FUEL_PERCENT) / 100).round(2)
    end

    def self.empty(carrier)
      table = new(carrier)
      table.freeze
    end

    private

    def load(rows)
      rows.each do |row|
        zone, price = row.split(",")
        @per_kg[zone.to_i] = BigDecimal(price)
      end
    end
  end
end
"""


PHP = """\
<?php
namespace Shipping\\Rates;

use InvalidArgumentException;
require_once __DIR__ . '/zones.php';

const FUEL_PERCENT = 12;

/**
 * Quotes a price for a parcel from its weight and zone.
 */
final class RateTable implements RateSource
{
    private array $perKg = [1 => 4.10];

    public function __construct(private string $carrier)
    {
        $this->perKg[2] = 5.60;
        $this->perKg[3] = 7.25;
    }

    /** The price of a parcel, fuel surcharge included. */
    public function quote(float $kilograms, int $zone): float
    {
        if (!isset($this->perKg[$zone])) {
            throw new InvalidArgumentException("no zone $zone");
        }
        $net = ceil($kilograms) * $this->perKg[$zone];
        return round($net * (100 + FUEL_PERCENT) / 100, 2);
    }

    private function load(array $rows): void
    {
        foreach ($rows as $row) {
            [$zone, $price] = explode(',', $row);
            $this->perKg[(int) $zone] = (float) $price;
        }
    }
}

interface RateSource
{
    public function quote(float $kilograms, int $zone): float;
}
"""


SHELL = """\
#!/bin/sh
# Quote a parcel's price from the rate table.
set -e
. /usr/lib/shipping/common.sh

RATES=${RATES:-/etc/shipping/rates.csv}
readonly FUEL_PERCENT=12

# Print how to call this script.
usage() {
    echo "usage: quote KILOGRAMS ZONE" >&2
    echo "  reads rates from $RATES" >&2
    exit 2
}

# The price per kilogram of a zone.
rate_for() {
    zone=$1
    rate=$(awk -F, -v z="$zone" '$1 == z { print $2 }' "$RATES")
    if [ -z "$rate" ]; then
        echo "no zone $zone" >&2
        exit 1
    fi
    echo "$rate"
}

quote() {
    kilograms=$(printf '%.0f' "$1")
    net=$(echo "$kilograms * $(rate_for "$2")" | bc)
    echo "$net * (100 + $FUEL_PERCENT) / 100" | bc
}

[ $# -eq 2 ] || usage
quote "$1" "$2"
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
    Case(
        "csharp",
        "tree_sitter_c_sharp",
        CSHARP,
        imports=["using System;", "using System.Collections.Generic;"],
        signatures=[
            "namespace Shipping.Rates",
            "public sealed class RateTable : IRateSource",
            "private const decimal Fuel = 0.12m;",
            "public string Carrier { get; }",
            "public RateTable(string carrier)",
            "public decimal Quote(decimal kilograms, int zone)",
            "private void Load(IEnumerable<string> rows)",
            "public interface IRateSource",
            "decimal Quote(decimal kilograms, int zone);",
        ],
        docs=["/// <summary>The price of a parcel, fuel surcharge included.</summary>"],
        bodies={"Quote": "var net = Math.Ceiling(kilograms) * rate;", "Load": "var parts"},
        question="What does Quote throw for an unknown zone?",
        whole=["throw new ArgumentOutOfRangeException(nameof(zone));", "var net = Math.Ceiling"],
        elsewhere="var parts = row.Split(',');",
    ),
    Case(
        "kotlin",
        "tree_sitter_kotlin",
        KOTLIN,
        imports=["package shipping.rates", "import java.math.BigDecimal"],
        signatures=[
            "const val FUEL_PERCENT = 12",
            "class RateTable(private val carrier: String) : RateSource {",
            "private val perKg = mutableMapOf<Int, BigDecimal>()",
            "override fun quote(kilograms: BigDecimal, zone: Int): BigDecimal {",
            "private fun load(rows: List<String>) {",
            "companion object {",
            "fun empty(carrier: String): RateTable {",
            "interface RateSource {",
            "fun quote(kilograms: BigDecimal, zone: Int): BigDecimal",
        ],
        docs=["/** The price of a parcel, fuel surcharge included. */"],
        bodies={"quote": "val net = kilograms", "load": "perKg[zone.toInt()] = BigDecimal(price)"},
        question="What does quote throw for an unknown zone?",
        whole=['val rate = perKg[zone] ?: throw IllegalArgumentException("no zone $zone")'],
        elsewhere="perKg[zone.toInt()] = BigDecimal(price)",
    ),
    Case(
        "swift",
        "tree_sitter_swift",
        SWIFT,
        imports=["import Foundation"],
        signatures=[
            "let fuelPercent = 12",
            "public final class RateTable: RateSource {",
            "private var perKg: [Int: Decimal] = [:]",
            "public init(carrier: String) {",
            "public func quote(kilograms: Decimal, zone: Int) throws -> Decimal {",
            "private func load(rows: [String]) {",
            "public protocol RateSource {",
            "func quote(kilograms: Decimal, zone: Int) throws -> Decimal",
            "enum RateError: Error {",
        ],
        docs=["/// The price of a parcel, fuel surcharge included."],
        bodies={"quote": "let net = kilograms.rounded(.up) * rate", "load": "let parts"},
        question="What does quote throw for an unknown zone?",
        whole=["guard let rate = perKg[zone] else {", "throw RateError.unknownZone(zone)"],
        elsewhere='let parts = row.split(separator: ",")',
    ),
    Case(
        "ruby",
        "tree_sitter_ruby",
        RUBY,
        imports=['require "bigdecimal"', 'require_relative "zones"'],
        signatures=[
            "FUEL_PERCENT = 12",
            "module Shipping",
            "  class RateTable",
            "    def initialize(carrier)",
            "    def quote(kilograms, zone)",
            "    def self.empty(carrier)",
            "    def load(rows)",
            "    end",
        ],
        docs=["# The price of a parcel, fuel surcharge included."],
        bodies={"quote": "net = kilograms.ceil * rate", "load": "@per_kg[zone.to_i]"},
        question="What does quote raise for an unknown zone?",
        whole=['rate = @per_kg.fetch(zone) { raise ArgumentError, "no zone #{zone}" }'],
        elsewhere='zone, price = row.split(",")',
    ),
    Case(
        "php",
        "tree_sitter_php",
        PHP,
        imports=["namespace Shipping\\Rates;", "use InvalidArgumentException;", "require_once"],
        signatures=[
            "<?php",
            "const FUEL_PERCENT = 12;",
            "final class RateTable implements RateSource",
            "private array $perKg = [1 => 4.10];",
            "public function __construct(private string $carrier)",
            "public function quote(float $kilograms, int $zone): float",
            "private function load(array $rows): void",
            "interface RateSource",
            "public function quote(float $kilograms, int $zone): float;",
        ],
        docs=["/** The price of a parcel, fuel surcharge included. */"],
        bodies={"quote": "$net = ceil($kilograms)", "load": "[$zone, $price] = explode"},
        question="What does quote throw for an unknown zone?",
        whole=['throw new InvalidArgumentException("no zone $zone");'],
        elsewhere="[$zone, $price] = explode(',', $row);",
    ),
    Case(
        "bash",
        "tree_sitter_bash",
        SHELL,
        imports=["#!/bin/sh", ". /usr/lib/shipping/common.sh"],
        signatures=[
            "RATES=${RATES:-/etc/shipping/rates.csv}",
            "readonly FUEL_PERCENT=12",
            "usage() {",
            "rate_for() {",
            "quote() {",
            "[ $# -eq 2 ] || usage",
            'quote "$1" "$2"',
        ],
        docs=["# The price per kilogram of a zone."],
        bodies={"rate_for": "rate=$(awk", "usage": "  reads rates from"},
        question="What does rate_for print for an unknown zone?",
        whole=['echo "no zone $zone" >&2', 'echo "$rate"'],
        elsewhere='net=$(echo "$kilograms * $(rate_for "$2")" | bc)',
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
    # Level 3 leaves out the imports, which in a file this small cost about their marker;
    # level 4 the members' signatures, the outline's last lines but the top level's.
    assert sizes[0] > sizes[1] > sizes[4]
    assert sizes[2] > sizes[4] and sizes[3] > sizes[4]


def test_keeps_what_the_brace_scanner_keeps_and_saves_as_much(
    case: Case, monkeypatch: pytest.MonkeyPatch
):
    if case.language == "ruby":
        pytest.skip("Ruby has no braces, and without its grammar its signs are not trusted")
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
        "object Main extends App {\n  case class Point(x: Int, y: Int)\n"
        "  def dist(p: Point): Double = math.sqrt(p.x * p.x + p.y * p.y)\n"
        "  val origin = Point(0, 0)\n}\n" * 3,
        "local M = {}\n\nfunction M.add(a, b)\n  local sum = a + b\n  return sum\nend\n\n"
        "local function helper(x)\n  if x then\n    return 1\n  end\nend\n\nreturn M\n" * 2,
        "Some words about the code, with a brace { and nothing else.\n" * 10,
    ],
    ids=["scala", "lua", "prose"],
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


def _macro_header() -> tuple[str, list[str]]:
    """A header shaped like freeglut_std.h: a license, macros, prototypes behind API macros."""
    prototypes = [
        f"GLAPI void    GLAPIENTRY glutFunc{i}( {arg} );"
        for i, arg in enumerate(["void", "int value", "unsigned int mode", "GLenum layer"] * 12)
    ]
    lines = [
        "/*",
        " * glut_like.h",
        " *",
        " * Permission is hereby granted, free of charge, to any person obtaining a",
        " * copy of this software, to deal in the Software without restriction.",
        " */",
        "#ifndef  GLUT_LIKE_H",
        "#define  GLUT_LIKE_H",
        "#ifdef _WIN32",
        "#   define GLAPI __declspec(dllimport)",
        "#   define GLAPIENTRY __stdcall",
        "#else",
        "#   define GLAPI extern",
        "#   define GLAPIENTRY",
        "#endif",
        *[f"#define  GLUT_KEY_F{i:<24} 0x{i:04X}" for i in range(1, 160)],
        "",
        "/*",
        " * Initialization functions, see fg_init.c",
        " */",
        *prototypes,
        "",
        "#endif /* GLUT_LIKE_H */",
    ]
    return "\n".join(lines) + "\n", prototypes


def test_a_header_key_sends_a_parsing_macro_header_to_the_code_path():
    """Macros hide a header's code signs: its .h key and a C parse send it to code (issue 17)."""
    need("tree_sitter_c")
    header, prototypes = _macro_header()
    assert detect_language(header) is None  # too few signs: only the key and a parse tell
    result = compress(header, key="glut_like.h")
    assert result.transforms == ["code:tree-sitter:c"]
    kept = result.text.split("\n")
    assert all(line in kept for line in prototypes)
    # Text that does not parse as C, named .h, is not taken for code.
    prose = "\n".join(
        f"Line {i} of a note that someone saved as notes.h, in words." for i in range(80)
    )
    assert compress(prose, key="notes.h").transforms[:1] != ["code:tree-sitter:c"]


def test_freeglut_std_h_keeps_every_prototype():
    need("tree_sitter_c")
    path = Path("/usr/include/GL/freeglut_std.h")
    if not path.exists():
        pytest.skip("freeglut's headers are not installed")
    text = path.read_text()
    prototypes = [line for line in text.split("\n") if line.startswith("FGAPI ")]
    kept = compress(text, key="freeglut_std.h").text.split("\n")
    assert len(prototypes) > 100 and all(line in kept for line in prototypes)


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


EXTENSIONS = {
    "csharp": ["cs"],
    "kotlin": ["kt", "kts"],
    "swift": ["swift"],
    "ruby": ["rb"],
    "php": ["php"],
    "bash": ["sh", "bash"],
}


@pytest.mark.parametrize("language", sorted(EXTENSIONS))
def test_the_key_extension_selects_the_grammar(language: str):
    case = next(c for c in CASES if c.language == language)
    need(case.module)
    for extension in EXTENSIONS[language]:
        _, name = compress_code(case.source, Request(name=f"rates.{extension}"))
        assert name == f"code:tree-sitter:{language}"
    # Too few signs to tell the language, but the extension names it.
    script = 'cd "$HOME"\nls -l\nbackup() {\n    tar czf /tmp/b.tgz .\n    echo done\n}\n'
    assert detect_language(script) is None
    _, name = compress_code(script, Request(name="backup.sh"))
    assert name == "code:tree-sitter:bash"


def test_functions_inside_a_long_top_level_block_keep_their_signatures():
    """A script that defines its functions inside `if` keeps them; the block is not elided whole."""
    need("tree_sitter_bash")
    body = [f'    echo "step {i}"' for i in range(20)]
    script = "\n".join(
        [
            "#!/bin/bash",
            'if [ -n "$DEBUG" ]; then',
            *body[:10],
            "    trace() {",
            '        echo "trace: $*" >&2',
            '        logger -t demo "$*"',
            "    }",
            *body[10:],
            "fi",
            'trace "started"',
        ]
    )
    out, name = compress_code(script, Request())
    assert name == "code:tree-sitter:bash"
    assert 'if [ -n "$DEBUG" ]; then' in out and "    trace() {" in out
    assert "lines of trace omitted" in out and "lines of if statement omitted" in out
    assert 'logger -t demo "$*"' not in out


def test_signs_shared_by_two_languages_are_settled_by_parsing(monkeypatch: pytest.MonkeyPatch):
    """Swift's `let` and `->` are signs of Rust too: the grammar that parses the text decides."""
    need("tree_sitter_swift")
    need("tree_sitter_rust")
    assert detect_language(SWIFT) == "swift"
    original = code_grammar._language
    monkeypatch.setattr(code_grammar, "_language", lambda n: None if n == "swift" else original(n))
    assert detect_language(SWIFT) is None  # Rust's grammar does not parse it either


def test_c_headers_parse_through_their_attribute_and_qualifier_macros():
    """glibc's __THROW and __nonnull ((1)), a library's own EGLAPI: the grammar parses past them."""
    need("tree_sitter_c")
    glibc = [
        f"extern char *zname_{i} (char *__template) __THROW __nonnull ((1)) __wur;"
        for i in range(30)
    ]
    library = [f"ZAPI int ZAPIENTRY zcall_{i} (int level, const char *name);" for i in range(30)]
    header = "\n".join(
        [
            *("#ifndef Z_H", "#define Z_H", "#include <stddef.h>", "__BEGIN_DECLS"),
            *glibc,
            *("#define ZAPI", "#define ZAPIENTRY", "typedef int (ZAPIENTRYP zproc) (int level);"),
            *library,
            "static inline int zadd (int a, int b) {",
            *["    a += b;"] * 20,
            *("    return a;", "}", "__END_DECLS", "#endif"),
        ]
    )
    raw = code_grammar._parser("c").parse(header.encode()).root_node
    assert code_grammar._broken_lines(raw) > 30  # as it stands: most prototypes are errors
    assert detect_language(header) == "c"
    out, name = compress_code(header, Request())
    assert name == "code:tree-sitter:c"
    assert all(line in out for line in glibc + library)
    assert "lines of zadd omitted" in out and "a += b;" not in out


def test_tool_output_that_quotes_code_is_not_taken_for_it():
    """A compile error quoting a `def` without its colon reads like Ruby; the grammar says no."""
    need("tree_sitter_ruby")
    compile_log = "".join(
        f'  File "jobs/m{i}.py", line {i}\n    def g_{i}(x)\n               ^\n'
        "SyntaxError: expected ':'\n"
        for i in range(20)
    )
    assert len(code_grammar._SIGNS["ruby"].findall(compile_log)) == 20
    assert detect_language(compile_log) is None


def test_a_line_no_longer_than_its_marker_stays_in_place_of_the_marker():
    # A declaration file's members each under a one-line doc comment: a marker per comment
    # would cost what the comment does.
    need("tree_sitter_typescript")
    members = "".join(
        f"    // Deprecated.\n    field{i}?: string | undefined;\n"
        f"    /**\n     * What field {i} holds, at length, for the reader.\n"
        f"     * A second line of it.\n     */\n    other{i}: number;\n"
        for i in range(20)
    )
    source = f"export interface Settings {{\n{members}}}\n"
    out, _ = compress_code(source, Request())
    assert out.count("// Deprecated.") == 20
    assert "// [… 1 line]" not in out and "field7?: string | undefined;" in out
    assert len(out) < 0.7 * len(source)


def test_a_macro_alone_on_its_line_does_not_turn_the_namespace_below_into_a_function():
    """fmt's FMT_END_EXPORT over `namespace detail {`: its declarations stay an outline."""
    need("tree_sitter_cpp")
    structs = [f"template <typename T> struct kind_{i} : std::false_type {{}};" for i in range(8)]
    functions = [
        line
        for i in range(8)
        for line in (
            f"constexpr auto arg_index_{i}(basic_string_view<Char> name) -> int {{",
            *[f"  if (name == names[{j}]) return {j};" for j in range(6)],
            "  return -1;",
            "}",
        )
    ]
    header = "\n".join(
        [
            *("#include <type_traits>", "", "FMT_BEGIN_NAMESPACE", "FMT_BEGIN_EXPORT", ""),
            "class compiled_string {};",
            *("", "FMT_END_EXPORT", "", "namespace detail {"),
            *structs,
            *functions,
            *("}  // namespace detail", "", "FMT_END_NAMESPACE", ""),
        ]
    )
    raw = code_grammar._parser("cpp").parse(header.encode()).root_node
    assert code_grammar._broken_lines(raw)  # as it stands: a function named "namespace"
    out, name = compress_code(header, Request())
    assert name == "code:tree-sitter:cpp"
    assert "lines of namespace omitted" not in out
    assert all(line in out for line in structs)
    assert all(f"constexpr auto arg_index_{i}(" in out for i in range(8))
    assert "  if (name == names[3]) return 3;" not in out


# Swift Evolution SE-0258 (property wrappers), its ThreadSpecific example: Kotlin shares
# Swift's signs, so its grammar parses this to confirm, and tree-sitter-kotlin 1.1.0 never
# ends on it (a trailing closure using `$0` inside an init).
SWIFT_THREAD_SPECIFIC = """\
@propertyWrapper
final class ThreadSpecific<T> {
  private var key = pthread_key_t()
  private let initialValue: T

  init(key: pthread_key_t, wrappedValue: T) {
    self.key = key
    self.initialValue = wrappedValue
  }

  init(wrappedValue: T) {
    self.initialValue = wrappedValue
    pthread_key_create(&key) {
      // 'Any' erasure due to inability to capture 'self' or <T>
      $0.assumingMemoryBound(to: Any.self).deinitialize(count: 1)
      $0.deallocate()
    }
  }

  deinit {
    fatalError("\\(ThreadSpecific<T>.self).deinit is unsafe and would leak")
  }

  private var box: UnsafeMutablePointer<Any> {
    if let pointer = pthread_getspecific(key) {
      return pointer.assumingMemoryBound(to: Any.self)
    } else {
      let pointer = UnsafeMutablePointer<Any>.allocate(capacity: 1)
      pthread_setspecific(key, UnsafeRawPointer(pointer))
      pointer.initialize(to: initialValue as Any)
      return pointer
    }
  }

  var wrappedValue: T {
    get { return box.pointee as! T }
    set (v) {
      box.withMemoryRebound(to: T.self, capacity: 1) { $0.pointee = v }
    }
  }
}
"""


def test_a_grammar_that_never_ends_on_a_text_is_given_up():
    pytest.importorskip("tree_sitter_kotlin")
    pytest.importorskip("tree_sitter_swift")
    kotlin = code_grammar._parser("kotlin")
    assert code_grammar._parsed(kotlin, SWIFT_THREAD_SPECIFIC) is None  # looped before
    assert code_grammar._parsed(kotlin, "class A {\n  fun f() = 1\n}\n") is not None
    assert detect_language(SWIFT_THREAD_SPECIFIC) != "kotlin"  # and it answers
    doc = "## Thread-specific storage\n\nA wrapper per thread:\n\n```\n" + SWIFT_THREAD_SPECIFIC
    doc += "```\n\nThe box is allocated on first use.\n" * 3
    assert "final class ThreadSpecific<T> {" in compress(doc).text
