using System.Runtime.CompilerServices;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// A watch source whose objects are turned into another type as they are decoded (a page at a time for a list, an
/// event at a time for a watch), so a cache can keep compact records instead of the API's objects: the decoded
/// object is garbage as soon as its record is made.
/// </summary>
public sealed class MappedWatchSource<TSource, T>(IWatchSource<TSource> source, Func<TSource, T> map) : IWatchSource<T>
{
    public string Name => source.Name;

    public async IAsyncEnumerable<ResourceListPage<T>> ListAsync(
        int pageSize, Func<T, T> transform, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in source.ListAsync(pageSize, static o => o, cancellationToken))
        {
            yield return new ResourceListPage<T>([.. page.Items.Select(o => transform(map(o)))], page.ResourceVersion)
            {
                Invalid = page.Invalid,
                Continue = page.Continue,
            };
        }
    }

    public async IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var ev in source.WatchAsync(resourceVersion, cancellationToken))
        {
            yield return new ResourceWatchEvent<T>(ev.Type, ev.Object is null ? default : map(ev.Object))
            {
                Invalid = ev.Invalid,
                ResourceVersion = ev.ResourceVersion,
            };
        }
    }
}
