namespace U7s.S3.Tests;

public sealed class S3StorageOptionsTests
{
    [Fact]
    public void Valid_HasNoProblems() =>
        Assert.Empty(new S3StorageOptions { Endpoint = "http://127.0.0.1:7480", Bucket = "u7s", Prefix = "site-a/" }.Validate());

    [Theory]
    [InlineData("", null, "", "S3:Bucket is required")]
    [InlineData("Upper_Case", null, "", "not a valid bucket name")]
    [InlineData("u7s", "ftp://x", "", "not an http(s) URL")]
    [InlineData("u7s", null, "no-slash", "must be empty or end with '/'")]
    [InlineData("u7s", null, "/lead/", "must be empty or end with '/'")]
    public void Invalid_IsReported(string bucket, string? endpoint, string prefix, string expected)
    {
        var problems = new S3StorageOptions { Bucket = bucket, Endpoint = endpoint, Prefix = prefix }.Validate().ToList();
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void PartBelowS3Minimum_IsReported() =>
        Assert.Contains(new S3StorageOptions { Bucket = "u7s", PartBytes = 1024 }.Validate(), p => p.Contains("PartBytes", StringComparison.Ordinal));
}
