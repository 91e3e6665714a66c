from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_exportrecord_kind_history'),
    ]

    operations = [
        migrations.AlterField(
            model_name='exportrecord',
            name='kind',
            field=models.CharField(choices=[('progress', '进度报表'), ('evaluation', '终期评估报表'), ('history', '数据变更记录'), ('redblack', '红黑榜')], max_length=16, verbose_name='报表'),
        ),
    ]
