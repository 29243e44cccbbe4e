using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.Runtime;

namespace Handoff.Benchmarks.Heap;

/// <summary>
/// Which objects hold the copies of equal strings in a heap dump (<c>dotnet-dump collect --type Heap</c> of the
/// operator): <c>copies &lt;dump&gt; &lt;regex&gt; [samples=30]</c> counts the live strings matching the pattern by
/// how many copies of each text there are, then, for a sample of texts, prints each copy's holders (type and field)
/// grouped. <c>dumpheap -strings</c> tells that a pod's key is kept three times; this tells by whom, which is what
/// pooling it needs. Live = reachable from the dump's roots (as <c>dumpheap -live</c>).
/// </summary>
public static partial class StringCopies
{
    public static int Run(string dump, string pattern, int samples)
    {
        using var target = DataTarget.LoadDump(dump);
        var clr = target.ClrVersions[0];
        using var runtime = clr.CreateRuntime();
        var heap = runtime.Heap;
        var live = Live(heap);
        var matches = new Regex(pattern, RegexOptions.CultureInvariant);

        var copies = new Dictionary<string, List<ulong>>(StringComparer.Ordinal);
        foreach (var o in heap.EnumerateObjects())
        {
            if (o.Type?.IsString != true || !live.Contains(o.Address) || o.AsString(1024) is not { } text || !matches.IsMatch(text))
            {
                continue;
            }

            if (!copies.TryGetValue(text, out var addresses))
            {
                copies[text] = addresses = [];
            }

            addresses.Add(o.Address);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{live.Count} live objects; {copies.Count} texts matching, by copies: ") +
            string.Join(", ", copies.Values.GroupBy(a => a.Count).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"x{g.Key}: {g.Count()}"))));

        var sampled = copies.Values.Take(samples).SelectMany(a => a).ToHashSet();
        var holders = new Dictionary<ulong, SortedSet<string>>();
        foreach (var o in heap.EnumerateObjects())
        {
            if (o.Type is null || !live.Contains(o.Address))
            {
                continue;
            }

            foreach (var reference in o.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: false))
            {
                if (!sampled.Contains(reference.Object.Address))
                {
                    continue;
                }

                if (!holders.TryGetValue(reference.Object.Address, out var names))
                {
                    holders[reference.Object.Address] = names = new SortedSet<string>(StringComparer.Ordinal);
                }

                names.Add(Short(o.Type.Name ?? "?") + (reference.Field is { } field ? "." + field.Name : "[]"));
            }
        }

        Console.WriteLine("each copy held by (over the sampled texts):");
        foreach (var group in holders.Values.Select(names => string.Join(" + ", names)).GroupBy(h => h, StringComparer.Ordinal).OrderByDescending(g => g.Count()))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{group.Count(),8}  {group.Key}"));
        }

        return 0;
    }

    // Marked from the roots, as dumpheap -live does: a heap dump holds dead objects too.
    private static HashSet<ulong> Live(ClrHeap heap)
    {
        var live = new HashSet<ulong>();
        var pending = new Stack<ulong>();
        foreach (var root in heap.EnumerateRoots())
        {
            if (live.Add(root.Object.Address))
            {
                pending.Push(root.Object.Address);
            }
        }

        while (pending.Count > 0)
        {
            var o = heap.GetObject(pending.Pop());
            if (!o.IsValid)
            {
                continue;
            }

            foreach (var address in o.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
            {
                if (live.Add(address))
                {
                    pending.Push(address);
                }
            }
        }

        return live;
    }

    private static string Short(string type) => CollectionsNamespace().Replace(type, "");

    [GeneratedRegex(@"System\.Collections\.(Generic|Concurrent)\.", RegexOptions.CultureInvariant)]
    private static partial Regex CollectionsNamespace();
}
