using Handoff.Api.Manifests;

namespace Handoff.Api.Tests.Manifests;

/// <summary><c>-f</c> expansion as <c>kubectl apply -R -f</c> does it (the order is checked against kubectl in the comments' scenario).</summary>
public sealed class ManifestPathsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("handoff-paths-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Touch(string relative)
    {
        var path = Path.Combine(_dir.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }

    [Fact]
    public void Directories_are_walked_in_kubectls_order_with_its_extensions()
    {
        // kubectl 1.35 (`kubectl patch --local -R -f d`) reads exactly: .hidden.yaml, A.yaml, _u.yaml, a/in.yaml, a.yaml, b/y.json, sub/x.yml.
        foreach (var f in new[] { "a.yaml", "sub/x.yml", "b/y.json", "c.YAML", "z.txt", "a/in.yaml", "A.yaml", "_u.yaml", ".hidden.yaml" })
        {
            Touch(f);
        }

        var root = _dir.FullName;
        Assert.Equal(
            [".hidden.yaml", "A.yaml", "_u.yaml", "a/in.yaml", "a.yaml", "b/y.json", "sub/x.yml"],
            ManifestPaths.Expand([root]).Select(f => f.Path[(root.Length + 1)..]));
    }

    [Fact]
    public void A_file_named_directly_is_read_whatever_its_name_and_only_once()
    {
        var notes = Touch("notes.txt");
        var a = Touch("d/a.yaml");
        var files = ManifestPaths.Expand([notes, Path.Combine(_dir.FullName, "d"), a, "-", notes, "-"]);
        Assert.Equal([notes, Path.Combine(_dir.FullName, "d") + "/a.yaml", "-"], files.Select(f => f.Path));
        Assert.True(files[2].IsStandardInput);
        Assert.Equal("<stdin>", files[2].DisplayName);
    }

    [Fact]
    public void A_missing_path_is_an_error_in_kubectls_words()
    {
        var missing = Path.Combine(_dir.FullName, "nope.yaml");
        Assert.Equal($"the path \"{missing}\" does not exist", Assert.Throws<ManifestException>(() => ManifestPaths.Expand([missing])).Message);
    }

    [Fact]
    public void An_empty_directory_expands_to_nothing() =>
        Assert.Empty(ManifestPaths.Expand([Directory.CreateDirectory(Path.Combine(_dir.FullName, "empty")).FullName]));
}
