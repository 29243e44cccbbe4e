using System.Collections;

namespace Handoff.Core.Resources;

public sealed partial class ResourceList
{
    /// <summary>
    /// Walks the entries in ordinal name order. A struct, so that a <c>foreach</c> over a list allocates nothing: a
    /// resource list is walked for every placement, status report and metrics line, thousands of times a second in a burst.
    /// </summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, long>>
    {
        private readonly string[] _names;
        private readonly long[] _values;
        private int _index;

        internal Enumerator(string[] names, long[] values)
        {
            _names = names;
            _values = values;
            _index = -1;
        }

        public readonly KeyValuePair<string, long> Current => new(_names[_index], _values[_index]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < _names.Length;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }
}
