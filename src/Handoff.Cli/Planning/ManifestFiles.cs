namespace Handoff.Cli.Planning;

/// <summary>Expands <c>-f</c> arguments into files.</summary>
internal static class ManifestFiles
{
    /// <summary>The <c>-f</c> value that means standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>
    /// Each argument is a file, or a directory whose <c>*.yaml</c>/<c>*.yml</c> files are read recursively (like
    /// <c>kubectl apply -R -f</c>), in ordinal order of their paths. Arguments keep their order; a file named twice is
    /// read once; <c>-</c> is standard input (as with <c>kubectl apply -f -</c>). Throws
    /// <see cref="FileNotFoundException"/> for a path that does not exist.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            IEnumerable<string> files;
            if (path == StandardInput)
            {
                if (seen.Add(StandardInput))
                {
                    result.Add(StandardInput);
                }

                continue;
            }

            if (Directory.Exists(path))
            {
                files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .Select(f => f.Replace('\\', '/'))
                    .Order(StringComparer.Ordinal);
            }
            else if (File.Exists(path))
            {
                files = [path];
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or directory", path);
            }

            foreach (var file in files)
            {
                if (seen.Add(Path.GetFullPath(file)))
                {
                    result.Add(file);
                }
            }
        }

        return result;
    }
}
