import Foundation
import KawalReports
import KawalStore
import Varlink

/// Turns the store's raw figures into a published report: every table through suppression.
enum CaseReportBuilder {
    static let mainMeasures = ["opened", "resolved", "open_at_end", "followups_on_time", "followups_late"]

    static func build(_ figures: CaseReportFigures, period: ReportPeriod, by: [String], minimumCell: Int, generatedAt: String) -> CaseReport {
        var main = CountTable(title: "Cases", dimensions: by, measures: mainMeasures)
        for group in figures.groups {
            main.add(group.keys, [group.opened, group.resolved, group.openAtEnd, group.followUpsOnTime, group.followUpsLate])
        }
        main.summaries = [CountTable.Summary(name: "median_days_to_resolution", summaryOf: "resolved",
                                             values: figures.groups.map(\.medianDays), total: figures.totalMedianDays)]
        main.sortRows()
        var referrals = CountTable(title: "Referrals by service and outcome", dimensions: ["service", "outcome"], measures: ["referrals"])
        for referral in figures.referrals { referrals.add([referral.service, referral.outcome], [referral.count]) }
        var tables = [main, referrals]
        for (title, dimension, counts) in [
            ("Violence: form (SIMFONI-PPA)", "form", figures.violenceForms),
            ("Violence: place", "place", figures.violencePlaces),
            ("Violence: perpetrator relationship", "relationship", figures.violenceRelationships),
        ] {
            var table = CountTable(title: title, dimensions: [dimension], measures: ["cases"])
            for (category, count) in counts { table.add([category], [count]) }
            tables.append(table)
        }
        return CaseReport(period: period.label, firstDay: period.firstDay, lastDay: period.lastDay, generatedAt: generatedAt,
                          minimumCell: minimumCell, dimensions: by, tables: tables.map { Publication.publish($0, minimumCell: minimumCell) })
    }

    static func json(_ report: CaseReport) -> JSONValue {
        func row(_ table: PublishedTable, _ row: PublishedTable.Row) -> JSONValue {
            ["keys": row.keys.json, "cells": .array(row.cells.map { .string(table.text($0)) })]
        }
        return [
            "period": .string(report.period), "first_day": .string(report.firstDay), "last_day": .string(report.lastDay),
            "generated_at": .string(report.generatedAt), "min_cell": .int(Int64(report.minimumCell)), "dimensions": report.dimensions.json,
            "legend": .string(report.legend),
            "tables": .array(report.tables.map { table in
                [
                    "title": .string(table.title), "dimensions": table.dimensions.json, "columns": table.columns.json,
                    "rows": .array(table.rows.map { row(table, $0) }),
                    "totals_by": .array(table.marginals.map { ["dimension": .string($0.dimension), "rows": .array($0.rows.map { row(table, $0) })] }),
                    "total": .array(table.total.map { .string(table.text($0)) }),
                ]
            }),
        ]
    }
}
