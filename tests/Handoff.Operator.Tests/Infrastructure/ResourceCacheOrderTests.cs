using CsCheck;
using Handoff.Operator.Infrastructure;
using k8s.Models;

namespace Handoff.Operator.Tests.Infrastructure;

/// <summary>
/// <see cref="ResourceCache{T}.ListOrderedByKey"/> keeps the last listing and looks again only at the keys changed since:
/// whatever happened in between, a listing is exactly the cache's objects in ordinal key order, and
/// <see cref="ResourceCache{T}.ByKey"/> exactly the cache's objects by key.
/// </summary>
public sealed class ResourceCacheOrderTests
{
    [Fact]
    public void Every_ordered_listing_is_the_cache_in_key_order_whatever_came_between()
    {
        // Operations on a small set of names (so adds, updates, removals and re-creations collide): 0 upsert a new
        // version, 1 remove, 2 relist (replace with a random subset), 3 list in order and check (each listing must hold
        // the objects the cache holds now, not the ones it held at the last listing).
        var operation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 11], Gen.Int[0, 4095]);
        operation.Array[1, 60].Sample(operations =>
        {
            var cache = new ResourceCache<V1ConfigMap>();
            var version = 1;
            foreach (var (kind, name, subset) in operations)
            {
                if (!Change(cache, kind, name, subset, ref version))
                {
                    Check(cache);
                }
            }

            Check(cache);
        }, iter: 500);
    }

    [Fact]
    public void The_changes_between_two_indexes_name_every_key_whose_object_differs()
    {
        // 0 upsert, 1 remove, 2 relist, 3 list in order (another listing between two indexes), 4 take the index and check
        // the changes the cache gives for it against the index taken before.
        var operation = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 11], Gen.Int[0, 4095]);
        var known = 0;
        operation.Array[1, 60].Sample(operations =>
        {
            var cache = new ResourceCache<V1ConfigMap>();
            var version = 1;
            IReadOnlyDictionary<string, V1ConfigMap>? last = null;
            foreach (var (kind, name, subset) in operations)
            {
                switch (kind)
                {
                    case < 3:
                        Change(cache, kind, name, subset, ref version);
                        break;
                    case 3:
                        cache.ListOrderedByKey();
                        break;
                    default:
                        var index = cache.ByKey();
                        if (last is not null && !ReferenceEquals(last, index) && cache.ChangesTo(index) is { } changes)
                        {
                            Interlocked.Increment(ref known);
                            Assert.Same(last, changes.Since);
                            var differing = last.Keys.Union(index.Keys)
                                .Where(k => !ReferenceEquals(last.GetValueOrDefault(k), index.GetValueOrDefault(k)));
                            Assert.All(differing, k => Assert.Contains(k, changes.Keys));
                        }

                        last = index;
                        break;
                }
            }

        }, iter: 500);
        Assert.True(known > 0, "no index was made from the last one");
    }

    [Fact]
    public void The_changes_that_made_a_listing_turn_the_last_listing_into_it()
    {
        // 0 upsert, 1 remove, 2 relist, 3 list in order and apply the changes the cache gives for the new listing to the
        // last one taken: the result is the new listing (a key added, replaced or removed is named with its object now).
        var operation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 11], Gen.Int[0, 4095]);
        var known = 0;
        operation.Array[1, 60].Sample(operations =>
        {
            var cache = new ResourceCache<V1ConfigMap>();
            var version = 1;
            IReadOnlyList<V1ConfigMap>? last = null;
            foreach (var (kind, name, subset) in operations)
            {
                if (Change(cache, kind, name, subset, ref version))
                {
                    continue;
                }

                var listing = cache.ListOrderedByKey();
                if (last is not null && !ReferenceEquals(last, listing) && cache.ListingChangesTo(listing) is { } changes)
                {
                    Interlocked.Increment(ref known);
                    Assert.Same(last, changes.Since);
                    var patched = last.ToDictionary(ResourceCache<V1ConfigMap>.KeyOf, StringComparer.Ordinal);
                    foreach (var (key, now) in changes.Changes)
                    {
                        if (now is null)
                        {
                            Assert.True(patched.Remove(key));
                        }
                        else
                        {
                            patched[key] = now;
                        }
                    }

                    Assert.Equal(listing, patched.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value));
                }

                last = listing;
            }
        }, iter: 500);
        Assert.True(known > 0, "no listing was made from the last one");

        // The first listing is sorted afresh, and a listing that is not the last one has no changes to give. Changes are
        // kept only once asked for: a listing made before that has none.
        var cache = new ResourceCache<V1ConfigMap>();
        cache.Upsert(Object("a", 1));
        cache.ListOrderedByKey();
        cache.Upsert(Object("z", 1));
        Assert.Null(cache.ListingChangesTo(cache.ListOrderedByKey()));
        var first = cache.ListOrderedByKey();
        Assert.Null(cache.ListingChangesTo(first));
        cache.Upsert(Object("b", 2));
        var second = cache.ListOrderedByKey();
        Assert.NotNull(cache.ListingChangesTo(second));
        Assert.Null(cache.ListingChangesTo(first));
    }

    [Fact]
    public void The_index_made_from_the_last_one_is_the_cache_and_says_what_changed()
    {
        var cache = new ResourceCache<V1ConfigMap>();
        cache.Upsert(Object("a", 1));
        cache.Upsert(Object("b", 2));
        var first = cache.ByKey();
        Assert.Null(cache.ChangesTo(first)); // the first index is made afresh

        cache.Upsert(Object("a", 3));
        cache.Remove("ns/b");
        cache.Upsert(Object("c", 4));
        var second = cache.ByKey();
        var changes = Assert.NotNull(cache.ChangesTo(second));
        Assert.Same(first, changes.Since);
        Assert.Equal(["ns/a", "ns/b", "ns/c"], changes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["ns/a", "ns/c"], second.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("3", second["ns/a"].Metadata.ResourceVersion);
        Assert.Null(cache.ChangesTo(first)); // not the last index any more

        // A listing in order between two indexes: the cache cannot tell what changed since the first of them.
        cache.Upsert(Object("a", 5));
        cache.ListOrderedByKey();
        cache.Upsert(Object("c", 6));
        Assert.Null(cache.ChangesTo(cache.ByKey()));
    }

    [Fact]
    public void The_index_by_key_is_the_same_dictionary_until_something_changes()
    {
        var cache = new ResourceCache<V1ConfigMap>();
        cache.Upsert(Object("a", 1));
        var first = cache.ByKey();
        Assert.Same(first, cache.ByKey());

        cache.Upsert(Object("a", 2));
        var updated = cache.ByKey();
        Assert.NotSame(first, updated);
        Assert.Equal("2", updated["ns/a"].Metadata.ResourceVersion);
        Assert.Equal("1", first["ns/a"].Metadata.ResourceVersion); // a dictionary handed out is never changed

        cache.Remove("ns/a");
        Assert.Empty(cache.ByKey());
        Assert.Single(updated);
    }

    [Fact]
    public async Task An_object_added_while_listing_in_order_is_in_the_next_listing()
    {
        var cache = new ResourceCache<V1ConfigMap>();
        cache.Upsert(Object("b", 1));
        Assert.Equal(["b"], cache.ListOrderedByKey().Select(o => o.Metadata.Name));
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                cache.Upsert(Object($"w{w}-{i:D3}", (w * 1000) + i + 2));
                if (i % 50 == 0)
                {
                    cache.ListOrderedByKey();
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(writers);

        Check(cache);
        Assert.Equal(2001, cache.ListOrderedByKey().Count);
    }

    [Fact]
    public void A_cache_no_longer_listed_in_order_does_not_queue_its_new_keys_for_ever()
    {
        // Listed in order once (a leader's passes), then only written to (a standby's watches): what it queues is bounded.
        var cache = new ResourceCache<V1ConfigMap>();
        cache.Upsert(Object("first", 1));
        cache.ListOrderedByKey();
        for (var i = 0; i < 20_000; i++)
        {
            cache.Upsert(Object($"cm-{i:D5}", i + 2));
            cache.Remove($"ns/cm-{i:D5}");
        }

        Assert.InRange(cache.KeysAwaitingOrder, 0, 4096 + 1024);
        Check(cache);
        cache.Upsert(Object("later", 30_000));
        Check(cache);
    }

    // Operation 0 upserts a new version of the object, 1 removes it, 2 relists (replaces the cache with a subset of the
    // 12 names); false for any other operation (the caller's own).
    private static bool Change(ResourceCache<V1ConfigMap> cache, int kind, int name, int subset, ref int version)
    {
        switch (kind)
        {
            case 0:
                cache.Upsert(Object(Name(name), version++));
                return true;
            case 1:
                cache.Remove("ns/" + Name(name));
                return true;
            case 2:
                var first = version;
                version += 12;
                cache.Replace(Enumerable.Range(0, 12).Where(i => (subset & (1 << i)) != 0).Select(i => Object(Name(i), first + i)).ToList());
                return true;
            default:
                return false;
        }
    }

    // The very objects the cache holds (a listing keeps its last order, and must not keep an object replaced since).
    private static void Check(ResourceCache<V1ConfigMap> cache)
    {
        var expected = cache.List().OrderBy(ResourceCache<V1ConfigMap>.KeyOf, StringComparer.Ordinal).ToList();
        var listed = cache.ListOrderedByKey();
        Assert.Equal(expected.Count, listed.Count);
        Assert.All(expected.Zip(listed), pair => Assert.Same(pair.First, pair.Second));
        var byKey = cache.ByKey();
        Assert.Equal(expected.Count, byKey.Count);
        Assert.All(expected, o => Assert.Same(o, byKey[ResourceCache<V1ConfigMap>.KeyOf(o)]));
    }

    private static string Name(int i) => $"cm-{i:D2}";

    private static V1ConfigMap Object(string name, int version) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", Uid = name, ResourceVersion = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };
}
