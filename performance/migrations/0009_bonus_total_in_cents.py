"""The bonus line's total adds up in whole cents (fen), so SQLite's float arithmetic agrees too
(850 - 40 - 289.66 is 520.3399999999999 there). Same result on PostgreSQL (numeric, exact)."""

import django.db.models.expressions
import django.db.models.functions.comparison
import django.db.models.functions.math
import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0010_exit_checklist"),
        ("performance", "0008_bonus_two_people"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="bonusline",
            name="bonus_line_total_adds_up",
        ),
        migrations.AddConstraint(
            model_name="bonusline",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.Exact(
                    django.db.models.functions.comparison.Cast(
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(models.F("total"), "*", models.Value(100))
                        ),
                        output_field=models.BigIntegerField(),
                    ),
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.functions.comparison.Cast(
                                        django.db.models.functions.math.Round(
                                            django.db.models.expressions.CombinedExpression(
                                                models.F("performance_amount"), "*", models.Value(100)
                                            )
                                        ),
                                        output_field=models.BigIntegerField(),
                                    ),
                                    "-",
                                    django.db.models.functions.comparison.Cast(
                                        django.db.models.functions.math.Round(
                                            django.db.models.expressions.CombinedExpression(
                                                models.F("attendance_fines"), "*", models.Value(100)
                                            )
                                        ),
                                        output_field=models.BigIntegerField(),
                                    ),
                                ),
                                "-",
                                django.db.models.functions.comparison.Cast(
                                    django.db.models.functions.math.Round(
                                        django.db.models.expressions.CombinedExpression(
                                            models.F("absenteeism_deduction"), "*", models.Value(100)
                                        )
                                    ),
                                    output_field=models.BigIntegerField(),
                                ),
                            ),
                            "+",
                            django.db.models.functions.comparison.Cast(
                                django.db.models.functions.math.Round(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("rewards"), "*", models.Value(100)
                                    )
                                ),
                                output_field=models.BigIntegerField(),
                            ),
                        ),
                        "-",
                        django.db.models.functions.comparison.Cast(
                            django.db.models.functions.math.Round(
                                django.db.models.expressions.CombinedExpression(
                                    models.F("penalties"), "*", models.Value(100)
                                )
                            ),
                            output_field=models.BigIntegerField(),
                        ),
                    ),
                ),
                name="bonus_line_total_adds_up",
            ),
        ),
    ]
