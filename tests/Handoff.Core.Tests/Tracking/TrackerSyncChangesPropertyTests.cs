using System.Globalization;
using CsCheck;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using Handoff.Core.Tracking.Indexing;

namespace Handoff.Core.Tests.Tracking;

/// <summary>
/// <see cref="TrackerSync.ApplyChanges"/> is <see cref="TrackerSync.Apply"/> for the holders that changed: two trackers
/// driven by the same random sequence — placements coming, going, bound, moved, re-costed; holders allocated by a
/// scheduling cycle between syncs; capacities set — one synced with every live placement, the other with the changed
/// holders and its journal (a full sync where its journal says a node changed, as the operator does), hold the same
/// allocations and find the same placements to bind and to delete after every sync.
/// </summary>
public sealed class TrackerSyncChangesPropertyTests
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    // Operation kind (0 add, 1 remove, 2 bind, 3 move, 4 re-cost, 5 cycle allocation, 6 capacity set, 7 sync), then small
    // numbers picking the holder, node and amount.
    private static readonly Gen<(int Kind, int Holder, int Node, int Amount)[]> GenOps =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 9], Gen.Int[0, 2], Gen.Int[1, 4]).Array[1, 80];

    [Fact]
    public void Syncing_the_changed_holders_holds_what_syncing_every_placement_holds() =>
        GenOps.Sample(ops =>
        {
            var (full, changes) = (new IndexedResourceTracker(), new IndexedResourceTracker());
            foreach (var node in Nodes)
            {
                full.SetNode(node, Cpu(4));
                changes.SetNode(node, Cpu(4));
            }

            var live = new Dictionary<string, LivePlacement>(StringComparer.Ordinal);
            var changed = new HashSet<string>(StringComparer.Ordinal);
            var clock = 0;
            Sync(full, changes, live, changed);
            foreach (var (kind, holder, node, amount) in ops)
            {
                var key = "ns/p-" + holder.ToString(CultureInfo.InvariantCulture);
                clock++;
                switch (kind)
                {
                    case 0:
                        live[key] = new LivePlacement(key, Nodes[node], Cpu(amount), Bound: amount % 2 == 0, T0.AddSeconds(clock));
                        changed.Add(key);
                        break;
                    case 1 when live.Remove(key):
                        changed.Add(key);
                        break;
                    case 2 when live.TryGetValue(key, out var p):
                        live[key] = p with { Bound = true };
                        changed.Add(key);
                        break;
                    case 3 when live.TryGetValue(key, out var p):
                        live[key] = p with { Node = Nodes[node] };
                        changed.Add(key);
                        break;
                    case 4 when live.TryGetValue(key, out var p):
                        live[key] = p with { Cost = Cpu(amount) };
                        changed.Add(key);
                        break;
                    case 5:
                        // A cycle's allocation of a new placement, not live (yet): the next sync lets it go.
                        var placed = "ns/new-" + clock.ToString(CultureInfo.InvariantCulture);
                        Assert.Equal(full.TryAllocate(Nodes[node], Cpu(amount), placed), changes.TryAllocate(Nodes[node], Cpu(amount), placed));
                        break;
                    case 6:
                        full.SetNode(Nodes[node], Cpu(amount));
                        changes.SetNode(Nodes[node], Cpu(amount));
                        break;
                    default:
                        Sync(full, changes, live, changed);
                        break;
                }
            }

            Sync(full, changes, live, changed);
        });

    private static void Sync(IndexedResourceTracker full, IndexedResourceTracker changes, Dictionary<string, LivePlacement> live, HashSet<string> changed)
    {
        var placements = live.Values.OrderBy(p => p.Holder, StringComparer.Ordinal).ToList();
        var expected = TrackerSync.Apply(full, placements);
        var journal = changes.StopJournal();
        var actual = journal is { NodesChanged: false }
            ? TrackerSync.ApplyChanges(changes, changed.Union(journal.Holders), h => live.GetValueOrDefault(h), [.. placements.Where(p => !p.Bound)])
            : TrackerSync.Apply(changes, placements);
        changes.StartJournal();
        changed.Clear();

        Assert.Equal(expected.ToBind, actual.ToBind);
        Assert.Equal(expected.ToDelete, actual.ToDelete);
        Assert.Equal(Held(full), Held(changes));
        foreach (var node in Nodes)
        {
            Assert.Equal(full.GetNode(node), changes.GetNode(node));
        }
    }

    private static List<TrackedAllocation> Held(IResourceTracker tracker) => [.. tracker.Allocations().OrderBy(a => a.Holder, StringComparer.Ordinal)];

    private static ResourceList Cpu(int amount) => ResourceList.Of(("cpu", amount.ToString(CultureInfo.InvariantCulture)));
}
