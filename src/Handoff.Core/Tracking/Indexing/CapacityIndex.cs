using Handoff.Core.Allocation;
using Handoff.Core.Resources;

// Over ~400 lines on purpose: the index and the invariants that keep it equal to the tracker's books are one unit;
// split, each half would need the other's private state.

namespace Handoff.Core.Tracking.Indexing;

/// <summary>
/// A dense copy of a tracker's capacity table plus a segment tree of the maximum available amount of each resource,
/// over the nodes in ordinal name order. Not thread-safe: <see cref="IndexedResourceTracker"/> guards it with its lock.
/// </summary>
/// <remarks>
/// Rows are the tracked nodes in ordinal name order; columns are every resource name any node lists in its capacity
/// or its available amounts (ordinal order). A resource a node does not list is 0 there, exactly as
/// <see cref="ResourceList"/>'s indexer reads it, so every answer equals the one read from the tracker's lists.
/// The tree stores, per tree node and resource, the maximum available amount below it: a subtree whose maximum of
/// some requested resource is below the request holds no node that fits, so the first fitting node in name order is
/// found by a descent that skips such subtrees (the leaves hold the exact amounts, so the answer is exact).
/// </remarks>
internal sealed class CapacityIndex
{
    // Doubles closer than this (relative) may be ordered wrongly by rounding; they are compared exactly.
    internal const double Tolerance = 1e-12;

    private string[] _rows = [];
    private Dictionary<string, int> _rowOf = new(StringComparer.Ordinal);
    private Dictionary<string, int> _columnOf = new(StringComparer.Ordinal);
    private int _width;
    private long[] _capacity = [];
    private long[] _available = [];
    private double[] _inverseCapacity = [];
    private long[] _tree = [];
    private int _leaves;

    // Row → NodeInfo for the last NodeSet asked about (the operator and planner reuse one NodeSet for many decisions).
    private NodeSet? _cachedSet;
    private NodeInfo?[] _cachedRowNodes = [];

    /// <summary>True when the layout (rows or columns) must be rebuilt from the tracker before the next query.</summary>
    public bool Dirty { get; private set; } = true;

    public int RowCount => _rows.Length;

    /// <summary>Marks the layout stale (a node or resource name was added or removed).</summary>
    public void Invalidate()
    {
        Dirty = true;
        _cachedSet = null;
    }

    /// <summary>Rebuilds rows, columns, the dense table and the tree from a tracker snapshot (ordinal node order).</summary>
    public void Rebuild(IReadOnlyList<NodeUsage> snapshot)
    {
        var columns = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var usage in snapshot)
        {
            columns.UnionWith(usage.Capacity.Names);
            columns.UnionWith(usage.Available.Names);
        }

        _rows = [.. snapshot.Select(u => u.Node)];
        _rowOf = new Dictionary<string, int>(_rows.Length, StringComparer.Ordinal);
        for (var i = 0; i < _rows.Length; i++)
        {
            _rowOf[_rows[i]] = i;
        }

        _columnOf = new Dictionary<string, int>(columns.Count, StringComparer.Ordinal);
        foreach (var name in columns)
        {
            _columnOf[name] = _columnOf.Count;
        }

        _width = columns.Count;
        _leaves = 1;
        while (_leaves < _rows.Length)
        {
            _leaves *= 2;
        }

        _capacity = new long[_rows.Length * _width];
        _available = new long[_rows.Length * _width];
        _inverseCapacity = new double[_rows.Length * _width];
        _tree = new long[2 * _leaves * _width];
        Array.Fill(_tree, long.MinValue);
        for (var row = 0; row < snapshot.Count; row++)
        {
            Fill(row, snapshot[row].Capacity, snapshot[row].Available);
            var leaf = (_leaves + row) * _width;
            Array.Copy(_available, row * _width, _tree, leaf, _width);
        }

        for (var k = _leaves - 1; k >= 1; k--)
        {
            Pull(k);
        }

        _cachedSet = null;
        Dirty = false;
    }

    /// <summary>
    /// Updates one node's row after its capacity or allocations changed. Returns false (and marks the index dirty)
    /// when the node has no row or lists a resource without a column: the caller's next query rebuilds.
    /// </summary>
    public bool Update(string node, ResourceList capacity, ResourceList available)
    {
        if (Dirty)
        {
            return false;
        }

        if (!_rowOf.TryGetValue(node, out var row) || !Fill(row, capacity, available))
        {
            Invalidate();
            return false;
        }

        var k = _leaves + row;
        Array.Copy(_available, row * _width, _tree, k * _width, _width);
        for (k /= 2; k >= 1; k /= 2)
        {
            Pull(k);
        }

        return true;
    }

    // Writes the row; false when a name has no column (the row is then partly written and the index must be rebuilt).
    private bool Fill(int row, ResourceList capacity, ResourceList available)
    {
        var start = row * _width;
        Array.Clear(_capacity, start, _width);
        Array.Clear(_available, start, _width);
        foreach (var (name, amount) in capacity)
        {
            if (!_columnOf.TryGetValue(name, out var column))
            {
                return false;
            }

            _capacity[start + column] = amount;
        }

        foreach (var (name, amount) in available)
        {
            if (!_columnOf.TryGetValue(name, out var column))
            {
                return false;
            }

            _available[start + column] = amount;
        }

        for (var c = start; c < start + _width; c++)
        {
            _inverseCapacity[c] = 1.0 / Math.Max(1, _capacity[c]);
        }

        return true;
    }

    private void Pull(int k)
    {
        var target = k * _width;
        var left = 2 * k * _width;
        var right = left + _width;
        for (var c = 0; c < _width; c++)
        {
            _tree[target + c] = Math.Max(_tree[left + c], _tree[right + c]);
        }
    }

    /// <summary>
    /// The request's positive cost amounts as (column, amount) pairs. Returns false when a positive amount names a
    /// resource no node has: then no node fits.
    /// </summary>
    public bool TryGetNeed(ResourceList cost, out (int Column, long Amount)[] need)
    {
        var list = new List<(int, long)>(cost.Count);
        foreach (var (name, amount) in cost)
        {
            if (amount <= 0)
            {
                continue;
            }

            if (!_columnOf.TryGetValue(name, out var column))
            {
                need = [];
                return false;
            }

            list.Add((column, amount));
        }

        need = [.. list];
        return true;
    }

    /// <summary>NodeInfo per row for <paramref name="nodes"/> (null where the set has no such node). Cached per set.</summary>
    public NodeInfo?[] RowNodes(NodeSet nodes)
    {
        if (!ReferenceEquals(nodes, _cachedSet))
        {
            var rowNodes = new NodeInfo?[_rows.Length];
            for (var row = 0; row < _rows.Length; row++)
            {
                rowNodes[row] = nodes.Find(_rows[row]);
            }

            _cachedSet = nodes;
            _cachedRowNodes = rowNodes;
        }

        return _cachedRowNodes;
    }

    public string NameOf(int row) => _rows[row];

    /// <summary>The first row at or after <paramref name="from"/> (name order) whose available amounts cover <paramref name="need"/>, or -1.</summary>
    public int FirstFit(ReadOnlySpan<(int Column, long Amount)> need, int from)
    {
        if (from >= _rows.Length)
        {
            return -1;
        }

        return Find(1, 0, _leaves, from, need);
    }

    private const int FirstFitBlock = 32;

    private bool RowFits(int row, ReadOnlySpan<(int Column, long Amount)> need)
    {
        var start = row * _width;
        foreach (var (column, amount) in need)
        {
            if (_available[start + column] < amount)
            {
                return false;
            }
        }

        return true;
    }

    private int Find(int k, int low, int span, int from, ReadOnlySpan<(int Column, long Amount)> need)
    {
        if (low + span <= from || low >= _rows.Length)
        {
            return -1;
        }

        var start = k * _width;
        foreach (var (column, amount) in need)
        {
            if (_tree[start + column] < amount)
            {
                return -1;
            }
        }

        if (span <= FirstFitBlock)
        {
            // Scanning a few rows costs less than descending to them (and bounds the work when shortages are mixed
            // and the maxima of small subtrees rarely exclude them).
            var end = Math.Min(low + span, _rows.Length);
            for (var row = Math.Max(low, from); row < end; row++)
            {
                if (RowFits(row, need))
                {
                    return row;
                }
            }

            return -1;
        }

        var half = span / 2;
        var found = Find(2 * k, low, half, from, need);
        return found >= 0 ? found : Find((2 * k) + 1, low + half, half, from, need);
    }

    /// <summary>
    /// The scoring strategies' choice in one pass over the table: among the rows that fit <paramref name="need"/>, are in
    /// the node set (<paramref name="rowNodes"/>) and that <paramref name="eligible"/> accepts, the row whose free
    /// fraction <paramref name="preference"/> puts first; ties keep the first in name order. -1 when none fits.
    /// </summary>
    public int BestScoredRow(NodeInfo?[] rowNodes, ReadOnlySpan<(int Column, long Amount)> need, Func<NodeInfo, bool> eligible, FreeFractionPreference preference)
    {
        var scan = new ScoreScan
        {
            RowNodes = rowNodes,
            Eligible = eligible,
            Preference = preference,
            BestRow = -1,
            BestIndex = -1,
        };
        Visit(1, 0, _leaves, need, ref scan);
        return scan.BestRow;
    }

    // Subtrees of at most this many rows are scanned row by row; larger ones are skipped when their per-resource
    // maxima show that no row in them fits (e.g. the packed nodes at the front of a FirstAvailable-filled cluster).
    private const int ScanBlock = 64;

    // Visits the rows that may fit in name order (left subtree first), so ties keep the first row.
    private void Visit(int k, int low, int span, ReadOnlySpan<(int Column, long Amount)> need, ref ScoreScan scan)
    {
        if (low >= _rows.Length)
        {
            return;
        }

        var start = k * _width;
        foreach (var (column, amount) in need)
        {
            if (_tree[start + column] < amount)
            {
                return;
            }
        }

        if (span <= ScanBlock)
        {
            ScanRows(low, Math.Min(low + span, _rows.Length), need, ref scan);
            return;
        }

        var half = span / 2;
        Visit(2 * k, low, half, need, ref scan);
        Visit((2 * k) + 1, low + half, half, need, ref scan);
    }

    private void ScanRows(int from, int to, ReadOnlySpan<(int Column, long Amount)> need, ref ScoreScan scan)
    {
        var available = _available;
        var width = _width;

        // The first needed resource is checked inline: most rows that do not fit fail there.
        var (firstColumn, firstAmount) = need.Length > 0 ? need[0] : (0, long.MinValue);
        for (int row = from, start = from * width; row < to; row++, start += width)
        {
            if ((need.Length > 0 && available[start + firstColumn] < firstAmount) || scan.RowNodes[row] is not { } node
                || !TryScore(row, need, out var index, out var value) || !scan.Eligible(node))
            {
                continue;
            }

            if (scan.BestRow < 0 || Prefers(scan.Preference, row, index, value, scan.BestRow, scan.BestIndex, scan.BestValue, need))
            {
                scan.BestRow = row;
                scan.BestIndex = index;
                scan.BestValue = value;
            }
        }
    }

    private struct ScoreScan
    {
        public NodeInfo?[] RowNodes;
        public Func<NodeInfo, bool> Eligible;
        public FreeFractionPreference Preference;
        public int BestRow;
        public int BestIndex;
        public double BestValue;
    }

    /// <summary>
    /// Whether the row fits <paramref name="need"/> and, if so, the free fraction of <see cref="FreeFractionAfter"/> as a double (relative error below 1e-15), and which
    /// needed resource is the exact minimum (-1: no needed resource; <see cref="ScoreAt"/> then computes the score).
    /// The minimum is found on doubles; only when the two smallest are a near-tie is it settled exactly.
    /// </summary>
    private bool TryScore(int row, ReadOnlySpan<(int Column, long Amount)> need, out int minIndex, out double value)
    {
        if (need.Length == 0)
        {
            minIndex = -1;
            value = FreeFractionAfter(row, need, out _).ToDouble();
            return true;
        }

        var start = row * _width;
        var available = _available;
        var inverse = _inverseCapacity;
        var min = double.PositiveInfinity;
        var second = double.PositiveInfinity;
        minIndex = 0;
        for (var i = 0; i < need.Length; i++)
        {
            var (column, amount) = need[i];
            var left = available[start + column] - amount;
            if (left < 0)
            {
                value = 0;
                return false;
            }

            var v = left * inverse[start + column];
            if (v < min)
            {
                second = min;
                min = v;
                minIndex = i;
            }
            else if (v < second)
            {
                second = v;
            }
        }

        if (second - min <= Tolerance * Math.Max(Math.Abs(min), Math.Abs(second)))
        {
            // Near-tie: settle the minimum exactly.
            min = FreeFractionAfter(row, need, out _).ToDouble();
            minIndex = ExactMinIndex(start, need);
        }

        value = min;
        return true;
    }

    private int ExactMinIndex(int start, ReadOnlySpan<(int Column, long Amount)> need)
    {
        var index = 0;
        for (var i = 1; i < need.Length; i++)
        {
            if (ScoreOf(start, need[i]).CompareTo(ScoreOf(start, need[index])) < 0)
            {
                index = i;
            }
        }

        return index;
    }

    /// <summary>The exact score of a row given the minimum index <see cref="TryScore"/> found.</summary>
    private Fraction ScoreAt(int row, int minIndex, ReadOnlySpan<(int Column, long Amount)> need) =>
        minIndex < 0 ? FreeFractionAfter(row, need, out _) : ScoreOf(row * _width, need[minIndex]);

    // The order is settled on doubles unless the two are a near-tie (then exactly).
    private bool Prefers(
        FreeFractionPreference preference, int row, int index, double value, int bestRow, int bestIndex, double bestValue,
        ReadOnlySpan<(int Column, long Amount)> need)
    {
        var tolerance = Tolerance * Math.Max(Math.Abs(value), Math.Abs(bestValue));
        if (value > bestValue + tolerance)
        {
            return preference == FreeFractionPreference.Highest;
        }

        if (value < bestValue - tolerance)
        {
            return preference == FreeFractionPreference.Lowest;
        }

        return preference.Prefers(ScoreAt(row, index, need), ScoreAt(bestRow, bestIndex, need));
    }

    /// <summary>
    /// <see cref="FreeFraction.After"/> computed from the dense row: the minimum over the needed
    /// resources of (available − cost) / max(1, capacity); with no positive cost, the minimum over the resources
    /// with a positive capacity of available / capacity; 1 when there is none.
    /// </summary>
    /// <param name="value">The result as a double (relative error below 1e-15).</param>
    public Fraction FreeFractionAfter(int row, ReadOnlySpan<(int Column, long Amount)> need, out double value)
    {
        var start = row * _width;
        if (need.Length > 0)
        {
            // The minimum is found on doubles (amount × 1/capacity, relative error below 1e-15) and only near-ties
            // are compared exactly, so the result is exactly the minimum Fraction.
            var (column, amount) = need[0];
            var minIndex = 0;
            var minValue = (_available[start + column] - amount) * _inverseCapacity[start + column];
            for (var i = 1; i < need.Length; i++)
            {
                (column, amount) = need[i];
                var candidate = (_available[start + column] - amount) * _inverseCapacity[start + column];
                var tolerance = Tolerance * Math.Max(Math.Abs(candidate), Math.Abs(minValue));
                if (candidate < minValue - tolerance
                    || (candidate <= minValue + tolerance && ScoreOf(start, need[i]).CompareTo(ScoreOf(start, need[minIndex])) < 0))
                {
                    minIndex = i;
                    minValue = candidate;
                }
            }

            value = minValue;
            return ScoreOf(start, need[minIndex]);
        }

        Fraction? result = null;
        for (var c = 0; c < _width; c++)
        {
            var cap = _capacity[start + c];
            if (cap <= 0)
            {
                continue;
            }

            var f = new Fraction(_available[start + c], cap);
            if (result is null || f.CompareTo(result.Value) < 0)
            {
                result = f;
            }
        }

        var score = result ?? new Fraction(1, 1);
        value = score.ToDouble();
        return score;
    }

    private Fraction ScoreOf(int start, (int Column, long Amount) need) =>
        new(_available[start + need.Column] - need.Amount, Math.Max(1, _capacity[start + need.Column]));
}
