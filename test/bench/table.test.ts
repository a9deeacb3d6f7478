import { describe, expect, it } from "vitest";
import { renderMarkdown, renderText } from "../../bench/lib/table.js";

const table = { title: "Hot path", columns: ["provider", "ns/resolution"], rows: [["SDK fromTokenFile", "412"], ["awscreds", "95"]] };

describe("renderText", () => {
  it("aligns text left and numbers right under a rule", () => {
    expect(renderText(table).split("\n")).toEqual([
      "Hot path",
      "provider           ns/resolution",
      "-----------------  -------------",
      "SDK fromTokenFile            412",
      "awscreds                      95",
    ]);
  });

  it("treats missing cells as empty", () => {
    expect(renderText({ title: "t", columns: ["a", "b"], rows: [["x"]] })).toContain("x");
  });
});

describe("renderMarkdown", () => {
  it("writes a GitHub table with alignment markers", () => {
    expect(renderMarkdown(table)).toBe(
      ["| provider | ns/resolution |", "| :--- | ---: |", "| SDK fromTokenFile | 412 |", "| awscreds | 95 |"].join("\n"),
    );
  });

  it("escapes pipes and newlines so a cell cannot break the table", () => {
    const md = renderMarkdown({ title: "t", columns: ["a"], rows: [["x | y\nz"]], numericColumns: [] });
    expect(md.split("\n")[2]).toBe("| x \\| y z |");
  });
});
