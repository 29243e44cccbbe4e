namespace Handoff.Api.Manifests;

/// <summary>One manifest file to read: a path, or standard input.</summary>
/// <param name="Path">The path as given or found (with <c>/</c> separators under a directory); <c>-</c> for standard input.</param>
public sealed record ManifestFile(string Path)
{
    public bool IsStandardInput => Path == ManifestPaths.StandardInput;

    /// <summary>The name used in messages: the path, or <c>&lt;stdin&gt;</c>.</summary>
    public string DisplayName => IsStandardInput ? "<stdin>" : Path;

    public override string ToString() => DisplayName;
}

/// <summary>Expands <c>-f</c> arguments into files the way <c>kubectl apply -R -f</c> does.</summary>
public static class ManifestPaths
{
    /// <summary>The <c>-f</c> value that means standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>The file extensions kubectl reads in a directory (compared case-sensitively, as kubectl does).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".json", ".yaml", ".yml"];

    /// <summary>
    /// Each argument in order: a file is read whatever its name; a directory contributes its <c>.json</c>,
    /// <c>.yaml</c> and <c>.yml</c> files recursively, in kubectl's order (Go's <c>filepath.Walk</c>: the entries of a
    /// directory sorted by name, a subdirectory walked where its name sorts); <c>-</c> is standard input. A file named
    /// twice (directly or through directories) is read once.
    /// </summary>
    /// <exception cref="ManifestException">a path does not exist (kubectl's wording), or is a URL.</exception>
    public static IReadOnlyList<ManifestFile> Expand(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var result = new List<ManifestFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            if (argument == StandardInput)
            {
                if (seen.Add(StandardInput))
                {
                    result.Add(new ManifestFile(StandardInput));
                }

                continue;
            }

            if (argument.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || argument.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                throw new ManifestException($"{argument}: reading manifests from a URL is not supported; download the file and name it");
            }

            IEnumerable<string> files = Directory.Exists(argument) ? Walk(argument)
                : File.Exists(argument) ? [argument]
                : throw new ManifestException($"the path \"{argument}\" does not exist");
            foreach (var file in files)
            {
                if (seen.Add(Path.GetFullPath(file)))
                {
                    result.Add(new ManifestFile(file));
                }
            }
        }

        return result;
    }

    private static IEnumerable<string> Walk(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var path = directory.TrimEnd('/', '\\') + "/" + entry.Name;

            // Like filepath.Walk, a symbolic link is not followed into a directory.
            if (entry is DirectoryInfo && !entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                foreach (var nested in Walk(path))
                {
                    yield return nested;
                }
            }
            else if (Extensions.Contains(Path.GetExtension(entry.Name), StringComparer.Ordinal))
            {
                yield return path;
            }
        }
    }
}
