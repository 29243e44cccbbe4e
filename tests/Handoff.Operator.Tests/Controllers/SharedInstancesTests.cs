using System.Runtime.CompilerServices;
using Handoff.Operator.Controllers;
using k8s.Models;

namespace Handoff.Operator.Tests.Controllers;

public sealed class SharedTemplatesTests
{
    private static V1PodTemplateSpec Template(string image, params string[] command) => new()
    {
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = image, Command = command }] },
    };

    [Fact]
    public void Equal_templates_are_kept_once_and_different_ones_apart()
    {
        var shared = new SharedTemplates();
        var first = shared.Share(Template("busybox", "sh", "-c", "echo 1"));

        Assert.Same(first, shared.Share(Template("busybox", "sh", "-c", "echo 1")));
        Assert.NotSame(first, shared.Share(Template("busybox", "sh", "-c", "echo 2")));
        Assert.NotSame(first, shared.Share(Template("alpine", "sh", "-c", "echo 1")));
        Assert.Equal(3, shared.Count);
    }

    [Fact]
    public void A_template_no_function_uses_is_collected_and_its_entry_swept()
    {
        var shared = new SharedTemplates();
        ShareUnreferenced(shared, 1024);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        // The next new template finds more entries than the sweep allows and drops the dead ones.
        var kept = shared.Share(Template("kept"));

        Assert.Equal(1, shared.Count);
        Assert.Same(kept, shared.Share(Template("kept")));
    }

    [Fact]
    public void Cached_functions_with_equal_templates_share_one()
    {
        var a = CacheTransforms.Function(Testing.Builders.TestObjects.Function("a").Container("busybox:1.36", "echo").Build());
        var b = CacheTransforms.Function(Testing.Builders.TestObjects.Function("b").Container("busybox:1.36", "echo").Build());

        Assert.Same(a.Spec.Template, b.Spec.Template);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ShareUnreferenced(SharedTemplates shared, int count)
    {
        for (var i = 0; i < count - 1; i++)
        {
            shared.Share(Template("image-" + i));
        }
    }
}
