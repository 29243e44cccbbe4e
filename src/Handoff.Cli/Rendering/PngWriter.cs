using SkiaSharp;

namespace Handoff.Cli.Rendering;

/// <summary>Paints a <see cref="Scene"/> with SkiaSharp and encodes it as PNG (the picture <see cref="SvgWriter"/> describes).</summary>
internal static class PngWriter
{
    public static byte[] Write(Scene scene)
    {
        var info = new SKImageInfo((int)Math.Ceiling(scene.Width), (int)Math.Ceiling(scene.Height));
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName(Scene.FontFamily.Split(',')[0]) ?? SKTypeface.Default;
        foreach (var element in scene.Elements)
        {
            switch (element)
            {
                case SceneRect r:
                    using (var fill = new SKPaint { Color = SKColor.Parse(r.Fill), IsAntialias = true })
                    {
                        canvas.DrawRoundRect((float)r.X, (float)r.Y, (float)r.Width, (float)r.Height, (float)r.Radius, (float)r.Radius, fill);
                    }

                    if (r.Stroke is not null)
                    {
                        using var stroke = new SKPaint { Color = SKColor.Parse(r.Stroke), IsStroke = true, IsAntialias = true };
                        canvas.DrawRoundRect((float)r.X, (float)r.Y, (float)r.Width, (float)r.Height, (float)r.Radius, (float)r.Radius, stroke);
                    }

                    break;
                case SceneText t:
                    using (var font = new SKFont(typeface, (float)t.Size) { Embolden = t.Bold })
                    using (var paint = new SKPaint { Color = SKColor.Parse(t.Fill), IsAntialias = true })
                    {
                        var align = t.Anchor switch
                        {
                            TextAnchor.Middle => SKTextAlign.Center,
                            TextAnchor.End => SKTextAlign.Right,
                            _ => SKTextAlign.Left,
                        };
                        canvas.DrawText(t.Text, (float)t.X, (float)t.Y, align, font, paint);
                    }

                    break;
                case SceneLine l:
                    DrawLine(canvas, l);
                    break;
            }
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static void DrawLine(SKCanvas canvas, SceneLine line)
    {
        using var paint = new SKPaint
        {
            Color = SKColor.Parse(line.Stroke),
            IsStroke = true,
            StrokeWidth = (float)line.StrokeWidth,
            IsAntialias = true,
            PathEffect = line.Dashed ? SKPathEffect.CreateDash([4, 3], 0) : null,
        };
        using var path = new SKPath();
        path.MoveTo((float)line.Points[0].X, (float)line.Points[0].Y);
        foreach (var p in line.Points.Skip(1))
        {
            path.LineTo((float)p.X, (float)p.Y);
        }

        canvas.DrawPath(path, paint);
        if (line.Arrow && line.Points.Count >= 2)
        {
            var (from, to) = (line.Points[^2], line.Points[^1]);
            var angle = Math.Atan2(to.Y - from.Y, to.X - from.X);
            using var head = new SKPath();
            head.MoveTo((float)to.X, (float)to.Y);
            head.LineTo((float)(to.X - (7 * Math.Cos(angle - 0.45))), (float)(to.Y - (7 * Math.Sin(angle - 0.45))));
            head.LineTo((float)(to.X - (7 * Math.Cos(angle + 0.45))), (float)(to.Y - (7 * Math.Sin(angle + 0.45))));
            head.Close();
            using var fill = new SKPaint { Color = SKColor.Parse("#555555"), IsAntialias = true };
            canvas.DrawPath(head, fill);
        }
    }
}
