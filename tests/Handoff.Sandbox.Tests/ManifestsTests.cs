namespace Handoff.Sandbox.Tests;

/// <summary>YAML manifests as JSON documents.</summary>
public sealed class ManifestsTests
{
    [Fact]
    public void YAML_manifests_keep_quoted_strings_and_type_plain_scalars()
    {
        var docs = Manifests.ParseYaml("""
            a: "1"
            b: 1
            c: true
            d: ~
            e: 1.5
            f: 1e3
            ---
            kind: List
            items: [{x: 1}, {y: 2}]
            """);
        Assert.Equal(3, docs.Count);
        Assert.Equal("""{"a":"1","b":1,"c":true,"d":null,"e":1.5,"f":1000}""", docs[0].ToJsonString());
    }
}
