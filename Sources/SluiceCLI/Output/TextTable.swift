/// A plain, left-aligned text table for human output.
struct TextTable {
    private let columns: [String]
    private var rows: [[String]] = []

    init(columns: [String]) {
        self.columns = columns
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// Colours cells of column `name` by `tone` (applied after padding, so columns stay aligned).
    var tones: [String: (String) -> Terminal.Tone?] = [:]

    func render() -> String {
        let all = [columns] + rows
        let widths = columns.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.enumerated().map { rowIndex, row in
            row.enumerated().map { index, cell in
                let padded = index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                if rowIndex == 0 { return Terminal.paint(padded, .bold) }
                guard let tone = tones[columns[index]]?(cell) else { return padded }
                return Terminal.paint(padded, tone)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
